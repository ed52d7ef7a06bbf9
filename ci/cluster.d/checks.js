// The check runner the cluster CI scripts share (interop.js, smoke.js): each check prints
// "ok   NAME[: detail]" or "FAIL NAME: why" and is counted; summary() prints the totals and
// gives the exit status (0 when every check passed).
"use strict";

function checks() {
  const results = [];
  async function check(name, fn) {
    try {
      const detail = await fn();
      results.push(true);
      console.log(`ok   ${name}${detail ? ": " + detail : ""}`);
    } catch (e) {
      results.push(false);
      console.log(`FAIL ${name}: ${e.message}`);
    }
  }
  const expect = (cond, msg) => { if (!cond) throw new Error(msg); };
  function summary() {
    const failed = results.filter((r) => !r).length;
    console.log(`${results.length - failed} passed, ${failed} failed`);
    return failed ? 1 : 0;
  }
  return { check, expect, summary };
}

module.exports = { checks };
