// Preloaded (NODE_OPTIONS=--require) into the tests' OpenID provider when the run's clock is
// shifted (tests/support/clock.py): Date follows the tests' clock, by a fixed offset.
"use strict";
const offset = Number(process.env.RELAIS_TEST_CLOCK_OFFSET_MS || 0);
if (offset) {
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...args);
    }
    static now() { return RealDate.now() + offset; }
  }
  globalThis.Date = ShiftedDate;
}
