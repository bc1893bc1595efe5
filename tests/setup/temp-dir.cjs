// One temporary directory for a whole test run: every test, runtime, CLI and browser the suites
// start takes its temporary files from it (TMPDIR, which os.tmpdir() reads), and it is removed when
// the run ends, whatever a test that failed or timed out left behind. Workers start after this
// runs and inherit the variable.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-tests-'));
  process.env.SWITCHYARD_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
};
