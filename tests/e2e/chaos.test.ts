import { chaos, chaosPassed } from '../../local/chaos';

it('under throttle=0.3,crash-after-create=0.2, 20 requests sent 3 times each end as 20 READY environments with 20 accounts', async () => {
  const report = await chaos({ createSeconds: 2 });
  expect(report).toMatchObject({
    requests: 60,
    distinct: 20,
    ready: 20,
    failed: 0,
    accountsCreated: 20,
    duplicates: 0,
    lost: 0,
    serverErrors: 0,
  });
  expect(report.maxConcurrentCreates).toBeLessThanOrEqual(5);
  // The first of each request is accepted (202), its copies answered with the same environment (200).
  expect(report.answers).toEqual({ '202': 20, '200': 40 });
  // The faults really happened.
  expect(report.faultsInjected.throttle).toBeGreaterThan(0);
  expect(chaosPassed(report)).toBe(true);
}, 180_000);
