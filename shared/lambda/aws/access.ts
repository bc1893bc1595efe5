import { IamAccessGrants, createIamClient } from '../../adapters/aws/iam-grants';
import { StsAccountSetup, createStsClient } from '../../adapters/aws/account-setup';

export const awsGrants = () => new IamAccessGrants(createIamClient(), createStsClient());
export const awsAccountSetup = () => new StsAccountSetup(createStsClient());
