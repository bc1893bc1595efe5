/**
 * Ports built when an invocation first reads them (shared/lambda/lazy.ts), and the AWS wiring that
 * builds its clients on first use: secrets from SSM, the drift queue's rechecks.
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { lazyPorts, withOverrides } from '../../shared/lambda/lazy';
import { awsDriftRecheck } from '../../shared/lambda/aws/drift-queue';
import { awsSecrets } from '../../shared/lambda/aws/secrets';
import { loadConfig } from '../../shared/lambda/config';

/** Factories that note each build, so a test can see what was built and how often. */
function counted() {
  const built: string[] = [];
  let configReads = 0;
  const ports = lazyPorts(
    () => (configReads++, { TABLE: 'registry' }),
    {
      environments: (config) => (built.push('environments'), { table: config.TABLE }),
      events: () => (built.push('events'), { bus: 'default' }),
      channels: () => (built.push('channels'), ['email']),
    },
  );
  return { ports, built, configReads: () => configReads };
}

describe('lazyPorts', () => {
  it('builds nothing, not even the configuration, until a port is read', () => {
    const { ports, built, configReads } = counted();
    ports();
    expect(built).toEqual([]);
    expect(configReads()).toBe(0);
  });

  it('builds a port on its first read, once, with the configuration read once for all of them', () => {
    const { ports, built, configReads } = counted();
    expect(ports().environments).toEqual({ table: 'registry' });
    expect(ports().environments).toBe(ports().environments);
    expect(ports().events).toEqual({ bus: 'default' });
    expect(built).toEqual(['environments', 'events']);
    expect(configReads()).toBe(1);
    expect(ports().config).toEqual({ TABLE: 'registry' });
    expect(configReads()).toBe(1);
  });

  it('never builds a port the invocation does not read', () => {
    const { ports, built } = counted();
    void ports().events;
    expect(built).not.toContain('channels');
    expect(built).not.toContain('environments');
  });

  it('fails the read, not the import, when the configuration is bad, and tries again on the next read', () => {
    let attempts = 0;
    const ports = lazyPorts(
      () => {
        attempts++;
        throw new Error('Invalid configuration: REGISTRY_TABLE: must be at least 3 characters');
      },
      { environments: () => ({}) },
    );
    expect(() => ports().environments).toThrow(/REGISTRY_TABLE/);
    expect(() => ports().environments).toThrow(/REGISTRY_TABLE/);
    expect(attempts).toBe(2);
  });
});

describe('withOverrides', () => {
  it('replaces the given ports and reads the others through the lazy ones, building only what is read', () => {
    const { ports, built } = counted();
    const respond = async () => undefined;
    const overridden = withOverrides(ports(), { config: { TABLE: 'other' }, respond });
    expect(overridden.config).toEqual({ TABLE: 'other' });
    expect(overridden.respond).toBe(respond);
    expect(built).toEqual([]);
    expect(overridden.environments).toEqual({ table: 'registry' });
    expect(overridden.environments).toBe(ports().environments);
    expect(built).toEqual(['environments']);
  });
});

describe('awsSecrets', () => {
  const ssm = mockClient(SSMClient);
  beforeEach(() => ssm.reset());
  afterAll(() => ssm.restore());

  it('answers a secret the deployment does not configure with nothing, asking SSM nothing', async () => {
    const secrets = awsSecrets(loadConfig({ SLACK_SIGNING_SECRET_PARAM: '/switchyard/dev/slack-signing-secret' }));
    await expect(secrets.get('webhook-secret')).resolves.toBeUndefined();
    await expect(secrets.get('notify-webhook-secret')).resolves.toBeUndefined();
    expect(ssm.calls()).toHaveLength(0);
  });

  it('reads a configured secret from its parameter, decrypted, once while it is fresh', async () => {
    ssm.on(GetParameterCommand, { Name: '/switchyard/dev/slack-signing-secret', WithDecryption: true }).resolves({ Parameter: { Value: 'signing-secret-value' } });
    const secrets = awsSecrets(loadConfig({ SLACK_SIGNING_SECRET_PARAM: '/switchyard/dev/slack-signing-secret' }));
    await expect(secrets.get('slack-signing-secret')).resolves.toBe('signing-secret-value');
    await expect(secrets.get('slack-signing-secret')).resolves.toBe('signing-secret-value');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
  });
});

describe('awsDriftRecheck', () => {
  const sqs = mockClient(SQSClient);
  beforeEach(() => sqs.reset());
  afterAll(() => sqs.restore());

  it('queues the next round with its delay', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    const recheck = awsDriftRecheck('https://sqs.us-east-1.amazonaws.com/111122223333/switchyard-dev-drift');
    expect(sqs.calls()).toHaveLength(0);
    await recheck(2, 60);
    expect(sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/switchyard-dev-drift', DelaySeconds: 60, MessageBody: JSON.stringify({ recheck: 2 }) },
    ]);
  });

  it('reports a refused send as the SQS call that failed', async () => {
    sqs.on(SendMessageCommand).rejects(Object.assign(new Error('Access to the resource is denied.'), { name: 'AccessDeniedException', $fault: 'client', $metadata: {} }));
    await expect(awsDriftRecheck('https://sqs.us-east-1.amazonaws.com/111122223333/q')(2, 60)).rejects.toMatchObject({ awsError: 'AccessDeniedException' });
  });
});
