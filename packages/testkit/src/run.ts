/**
 * The id of the test run: set by the global setup before the workers start (they inherit it), and
 * put at the start of every name `uniq()` makes, so a run's cleanup deletes its own topics only.
 */
export const RUN_ENV = 'STREAMBID_TEST_RUN';
