// Removes the run's temporary directory (tests/setup/temp-dir.cjs).
const fs = require('node:fs');

module.exports = async function teardown() {
  const dir = process.env.SWITCHYARD_TEST_TMPDIR;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
};
