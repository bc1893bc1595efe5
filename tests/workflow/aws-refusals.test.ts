import { AccessDeniedException } from '@aws-sdk/client-organizations';
import { renderFailedMessage } from '../../shared/domain/messages';
import { environmentView } from '../../shared/use-cases/views';
import { harness, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Anything shaped like an email address, masked or not: `ana@example.com`, but not `an***@ex***.com`. */
const EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)+/;

describe('what AWS said reaches the timeline, the API and the notifications', () => {
  it('ends READY when the admin group does not exist, with a note naming NoSuchEntity, the group and the fix', async () => {
    h = await harness({ createSeconds: 10, env: { ADMIN_GROUP: 'Platform-Admins' } });
    const env = await h.provision({ name: 'Staging', ou: 'Workloads/Staging', email: 'ana.lopez@example.com' });
    expect(env.status).toBe('READY');
    const expected =
      'the admin could not be granted access: IAM NoSuchEntity — The group with name Platform-Admins cannot be found. Fix: create IAM group Platform-Admins or set ADMIN_GROUP to an existing group';
    const note = env.timeline.at(-1)!.note!;
    expect(note).toBe(`ready; ${expected}`);
    expect(note).not.toMatch(EMAIL);
    expect(note).not.toContain(env.email);
    // GET /environments/{id} shows the same timeline.
    expect(JSON.stringify(environmentView(env, h.deps.config).timeline)).toContain(expected);
    // Nothing was attached to a group that does not exist.
    expect(h.sim.grantsView().attachments).toEqual({});
  });

  it('masks an admin user name that is an email address, in AWS’s message and in the fix', async () => {
    h = await harness({ createSeconds: 10, env: { ADMIN_GROUP: '', ADMIN_USER: 'ana.lopez@example.com' } });
    const env = await h.provision({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(env.status).toBe('READY');
    const note = env.timeline.at(-1)!.note!;
    expect(note).toContain('IAM NoSuchEntity — The user with name an***@ex***.com cannot be found. Fix: create IAM user an***@ex***.com or set ADMIN_USER to an existing user');
    expect(note).not.toMatch(EMAIL);
  });

  it('fails an environment AWS refuses to create with the code, AWS’s message and the fix, in the failure, the timeline and the notification', async () => {
    const refusal = "You don't have permissions to access this resource.";
    h = await harness({
      createSeconds: 10,
      onOrganizationsClient: (client) =>
        client.middlewareStack.add(
          (next, context) => async (args) => {
            if (context.commandName === 'CreateAccountCommand') throw new AccessDeniedException({ message: refusal, $metadata: { httpStatusCode: 400 } });
            return next(args);
          },
          { step: 'initialize' },
        ),
    });
    const env = await h.provision({ name: 'Staging', ou: 'Workloads/Staging', email: 'ana.lopez@example.com' });
    expect(env.status).toBe('FAILED');
    expect(env.failure).toMatchObject({
      code: 'AccessDeniedException',
      message: expect.stringContaining(`Organizations AccessDeniedException — ${refusal}`),
      fix: 'allow organizations:CreateAccount to the role Switchyard runs as (in the management account), then retry',
    });
    const note = env.timeline.at(-1)!.note!;
    expect(note).toContain('AccessDeniedException');
    expect(note).toContain(refusal);
    expect(note).toContain('Fix: allow organizations:CreateAccount');
    expect(note).not.toMatch(EMAIL);

    const failed = h.notifier.sent.find((n) => n.kind === 'failed')!;
    const mail = renderFailedMessage(failed.environment);
    expect(mail.subject).toContain('AccessDeniedException');
    expect(mail.text).toContain(refusal);
    expect(mail.text).toContain('allow organizations:CreateAccount');
    expect(h.events.published.find((e) => e.detailType === 'Environment Provisioning Failed')!.detail).toMatchObject({ reason: 'AccessDeniedException' });
  });
});
