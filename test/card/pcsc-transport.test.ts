import { expect } from "chai";

import { openPcscTransport } from "../../src/card/apdu/pcsc-transport.js";
import { CardError } from "../../src/card/card-error.js";

describe("PC/SC transport without a reader", function () {
  it("fails with a typed error (binding unavailable, no pcscd, or no reader), never a crash or hang", async function () {
    this.timeout(10_000);
    let transport;
    try {
      transport = await openPcscTransport({ reader: "no-such-reader-in-ci", timeoutMs: 500 });
    } catch (error) {
      expect(error).to.be.instanceOf(CardError);
      expect(["CARD_UNAVAILABLE", "CARD_NO_READER"]).to.include((error as CardError).code);
      return;
    }
    await transport.close();
    throw new Error("a reader named no-such-reader-in-ci was found");
  });
});
