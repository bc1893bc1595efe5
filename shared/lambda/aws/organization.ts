import { AwsOrganization, createOrganizationsClient } from '../../adapters/aws/organizations';

export const awsOrganization = () => new AwsOrganization(createOrganizationsClient());
