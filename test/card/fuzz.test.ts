import { expect } from "chai";
import fc from "fast-check";

import { BindingError } from "../../src/binding/binding-error.js";
import { parseProofRequest } from "../../src/binding/proof-request.js";
import { buildCommandApdu, parseCommandApdu, MalformedApduError } from "../../src/card/apdu/apdu.js";
import { ApduCardSigner } from "../../src/card/apdu/apdu-card-signer.js";
import type { CardTransport } from "../../src/card/apdu/card-transport.js";
import { CardError } from "../../src/card/card-error.js";
import { InProcessTransport } from "../../src/card/virtual/in-process-transport.js";
import { VirtualJpkiCard } from "../../src/card/virtual/virtual-jpki-card.js";
import { syntheticHolder } from "./helpers/synthetic-holder.js";

function newCard(): VirtualJpkiCard {
  const h = syntheticHolder();
  return new VirtualJpkiCard({
    authCertificate: h.authCert,
    authKey: h.authKey,
    authPin: h.authPin,
    signCertificate: h.signCert,
    signKey: h.signKey,
    signPassword: h.signPassword,
    tokenInfo: "JPKIAPICCTOKEN2",
  });
}

describe("card layer under random input", function () {
  it("short APDUs built by buildCommandApdu parse back to the same fields", function () {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ maxLength: 255 }),
        fc.option(fc.integer({ min: 1, max: 256 }), { nil: undefined }),
        (cla, ins, p1, p2, data, ne) => {
          const c = parseCommandApdu(buildCommandApdu(cla, ins, p1, p2, data, ne));
          expect([c.cla, c.ins, c.p1, c.p2, c.ne]).to.deep.equal([cla, ins, p1, p2, ne]);
          expect(Buffer.from(c.data).equals(Buffer.from(data))).to.equal(true);
        },
      ),
    );
  });

  it("the virtual card answers any byte string with a status word and never throws", function () {
    const card = newCard();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          // well-formed headers of the JPKI commands with random parameters
          fc
            .tuple(
              fc.constantFrom(0x00, 0x80),
              fc.constantFrom(0xa4, 0xb0, 0x20, 0x2a),
              fc.nat(255),
              fc.nat(255),
              fc.uint8Array({ maxLength: 40 }),
            )
            .map(([cla, ins, p1, p2, d]) => Uint8Array.from([cla, ins, p1, p2, ...(d.length ? [d.length, ...d] : [])])),
        ),
        (apdu) => {
          const r = card.transmit(apdu);
          expect(r.length).to.be.at.least(2);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("parseCommandApdu only throws MalformedApduError", function () {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20 }), (bytes) => {
        try {
          parseCommandApdu(bytes);
        } catch (error) {
          expect(error).to.be.instanceOf(MalformedApduError);
        }
      }),
    );
  });

  it("the APDU signer turns garbage responses into CardErrors", async function () {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 12 }), { minLength: 1, maxLength: 8 }),
        async (responses) => {
          let i = 0;
          const transport: CardTransport = {
            description: "garbage",
            transmit: async () => responses[i++ % responses.length]!,
            close: async () => {},
          };
          try {
            await new ApduCardSigner(transport).readAuthCertificate();
          } catch (error) {
            expect(error).to.be.instanceOf(CardError);
          }
        },
      ),
    );
  });

  it("parseProofRequest only throws BindingError, whatever the JSON", function () {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string()), (text) => {
        try {
          parseProofRequest(text);
          throw new Error("random input accepted");
        } catch (error) {
          expect(error).to.be.instanceOf(BindingError);
        }
      }),
    );
  });

  it("the transport log never keeps a PIN", async function () {
    const transport = new InProcessTransport(newCard());
    await new ApduCardSigner(transport).sign("auth", new Uint8Array(32), "1234");
    const all = Buffer.concat(transport.log.map((a) => Buffer.from(a)));
    expect(all.includes(Buffer.from("1234"))).to.equal(false);
  });
});
