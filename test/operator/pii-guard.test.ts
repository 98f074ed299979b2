import { randomBytes } from "node:crypto";

import { expect } from "chai";
import { AbiCoder, Interface, ZeroHash, concat, getBytes, hexlify, toUtf8Bytes } from "ethers";

import {
  JPKI_ATTRIBUTE_ARC_HEX,
  assertNoPii,
  encodeOidContent,
  findPii,
  type PiiMaterial,
} from "../../src/privacy/pii-guard.js";
import { PiiGuardError } from "../../src/privacy/pii-guard-error.js";
import { REGISTRY_ABI } from "../../src/chain/registry-abi.js";

/** Concatenates byte strings given as bytes or 0x hex. */
function cat(...parts: Array<Uint8Array | string>): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts.map((p) => getBytes(p))));
}

/**
 * A stand-in certificate with the containment a real one has: the TBS holds the serial, the CN, the CRL
 * distribution point and the public key modulus; the DER holds the TBS.
 */
function syntheticCertificate() {
  const modulus = cat(Uint8Array.of(0xc1), randomBytes(255));
  const serial = Uint8Array.of(0x01, 0x32, 0xc4, 0xab);
  const cn = "JPKITESTCN0000000000000A";
  const dp = ["Testo-ken", "Fakeshi-shi CRLDP"];
  const tbs = cat(
    randomBytes(20),
    serial,
    randomBytes(30),
    toUtf8Bytes(cn),
    toUtf8Bytes(dp.join("")),
    modulus,
    randomBytes(40),
  );
  const der = cat(Uint8Array.of(0x30, 0x82, 0x05, 0x00), tbs, randomBytes(270));
  return { modulus, serial, cn, dp, tbs, der };
}

const iface = new Interface(REGISTRY_ABI);

function attestCalldata(modulus: string, extra: Partial<Record<string, unknown>> = {}): string {
  const req = {
    subject: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    disclose: 15,
    deadline: 1_900_000_000n,
    claims: 15,
    personTag: hexlify(randomBytes(32)),
    expiryCap: 1_900_800_000n - (1_900_800_000n % 15_778_476n),
    caId: 1,
    recordCommitment: hexlify(randomBytes(32)),
    anonCommitment: ZeroHash,
    ...extra,
  };
  return iface.encodeFunctionData("attest", [req, modulus, hexlify(randomBytes(256)), hexlify(randomBytes(64))]);
}

describe("PII guard", function () {
  const cert = syntheticCertificate();
  const material: PiiMaterial = {
    label: "auth certificate",
    der: cert.der,
    tbs: cert.tbs,
    serialHex: hexlify(cert.serial).slice(2),
    notAfter: new Date("2030-10-30T14:59:59Z"),
    strings: [cert.cn, ...cert.dp],
  };
  const signing: PiiMaterial = {
    label: "signing certificate",
    strings: ["試験　花子", "420081031", "2008-10-31", "東京都千代田区試験町１－２－３", "00000", "2"],
    forbiddenModulus: cat(Uint8Array.of(0xd5), randomBytes(255)),
  };
  const materials = [material, signing];

  it("computes the JPKI attribute OID arc itself (392 is 0x83 0x08 in base 128)", function () {
    expect(JPKI_ATTRIBUTE_ARC_HEX).to.equal("0x2a83088c9b55080505");
    // 1.2.392.200149.8.5.5.1 as the full DER TLV
    expect(hexlify(concat([Uint8Array.of(0x06, 0x0a), encodeOidContent([1, 2, 392, 200149, 8, 5, 5, 1])]))).to.equal(
      "0x060a2a83088c9b5508050501",
    );
  });

  it("lets legitimate attest calldata through (the auth modulus is allowed)", function () {
    const data = attestCalldata(hexlify(cert.modulus));
    expect(findPii(data, materials)).to.deep.equal([]);
    expect(() => assertNoPii(data, materials)).not.to.throw();
  });

  const cases: Array<[string, (base: string) => string, RegExp]> = [
    ["the whole certificate", () => hexlify(cert.der), /auth certificate \(DER\)/],
    ["the TBS bytes inside other data", (b) => concat([b, cert.tbs]), /TBS/],
    ["the serial as raw bytes", (b) => concat([b, cert.serial]), /serial.*\(bytes\)/],
    ["the serial as hex text", (b) => concat([b, toUtf8Bytes("0132c4ab")]), /serial.*hex text/],
    ["the serial as upper-case hex text", (b) => concat([b, toUtf8Bytes("0132C4AB")]), /serial.*hex text/],
    ["the serial as decimal text", (b) => concat([b, toUtf8Bytes(BigInt("0x0132c4ab").toString())]), /decimal/],
    ["the subject CN", (b) => concat([b, toUtf8Bytes(cert.cn)]), /text from the auth certificate/],
    ["a CRL distribution point name", (b) => concat([b, toUtf8Bytes("Fakeshi-shi CRLDP")]), /text from the auth/],
    [
      "the notAfter as a uint word",
      (b) =>
        concat([b, AbiCoder.defaultAbiCoder().encode(["uint64"], [BigInt(Date.parse("2030-10-30T14:59:59Z") / 1000)])]),
      /notAfter/,
    ],
    ["the holder's name", (b) => concat([b, toUtf8Bytes("試験　花子")]), /signing certificate/],
    [
      "the name given in NFD form, sent in NFC",
      (b) => concat([b, toUtf8Bytes("試験　花子".normalize("NFD").normalize("NFC"))]),
      /signing/,
    ],
    ["the raw date of birth", (b) => concat([b, toUtf8Bytes("420081031")]), /signing/],
    ["the address", (b) => concat([b, toUtf8Bytes("東京都千代田区試験町１－２－３")]), /signing/],
    ["an attribute OID TLV", (b) => concat([b, "0x060a2a83088c9b5508050504"]), /OID.*DER/],
    ["an attribute OID arc inside a longer OID", (b) => concat([b, "0x060b2a83088c9b550805050701"]), /OID.*DER/],
    ["an attribute OID as dotted text", (b) => concat([b, toUtf8Bytes("1.2.392.200149.8.5.5.3")]), /dotted/],
    [
      "the signing certificate's public key",
      (b) => concat([b, signing.forbiddenModulus!]),
      /public key of the signing/,
    ],
  ];
  for (const [what, mutate, label] of cases) {
    it(`refuses calldata containing ${what}`, function () {
      const data = mutate(attestCalldata(hexlify(cert.modulus)));
      expect(() => assertNoPii(data, materials))
        .to.throw(PiiGuardError)
        .that.satisfies((e: PiiGuardError) => e.findings.some((f) => label.test(f)) && e.code === "PII_GUARD_REFUSED");
    });
  }

  it("refuses the OIDs even with no certificate material", function () {
    expect(findPii("0x00112a83088c9b5508050501ff", [])).to.have.length(1);
  });

  it("ignores too-short strings and serials (a one-letter gender code would match random bytes)", function () {
    const data = concat([attestCalldata(hexlify(cert.modulus)), toUtf8Bytes("2"), Uint8Array.of(0x01, 0x02)]);
    expect(findPii(data, [{ label: "x", strings: ["2"], serialHex: "0102" }])).to.deep.equal([]);
  });

  it("never prints the found value in the error message", function () {
    const data = concat([attestCalldata(hexlify(cert.modulus)), toUtf8Bytes(cert.cn)]);
    try {
      assertNoPii(data, materials);
      expect.fail("the guard let PII through");
    } catch (error) {
      expect(error).to.be.instanceOf(PiiGuardError);
      expect((error as Error).message).not.to.include(cert.cn);
    }
  });
});
