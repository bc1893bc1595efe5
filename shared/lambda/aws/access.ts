import { IamAccessGrants, createIamClient } from '../../adapters/aws/iam-grants';
import { StsAccountSetup } from '../../adapters/aws/account-setup';
import { createStsClient } from '../../adapters/aws/role-probe';

export const awsGrants = () => new IamAccessGrants(createIamClient(), createStsClient());
export const awsAccountSetup = () => new StsAccountSetup(createStsClient());
