import { StsRoleProbe, createStsClient } from '../../adapters/aws/role-probe';

export const awsRoleProbe = () => new StsRoleProbe(createStsClient());
