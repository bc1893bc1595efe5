import type { DescribeOrganizationResponse } from '@aws-sdk/client-organizations';
import { arn } from './ids';
import type { OrgState } from './state';

/** The organization as a whole: DescribeOrganization (all features, run by the management account). */
export function describeOrganization(s: OrgState): DescribeOrganizationResponse {
  const management = s.accounts.find((a) => a.id === s.managementAccountId)!;
  return {
    Organization: {
      Id: s.organizationId,
      Arn: arn(s, `organization/${s.organizationId}`),
      FeatureSet: 'ALL',
      MasterAccountArn: arn(s, `account/${s.organizationId}/${management.id}`),
      MasterAccountId: management.id,
      MasterAccountEmail: management.email,
      AvailablePolicyTypes: [],
    },
  };
}
