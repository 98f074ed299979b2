import { expect } from "chai";
import fc from "fast-check";

import { Claim } from "../../src/claims.js";
import {
  DEV_OPERATOR_SECRET,
  ageReferenceTime,
  EXPIRY_GRID_SECONDS,
  ageInJst,
  canonicalName,
  deriveClaims,
  expiryCap,
  personTag,
  personTagCanonical,
  resolveOperatorSecret,
} from "../../src/operator/derive.js";
import { KycError } from "../../src/errors.js";
import { OperatorError } from "../../src/operator/operator-error.js";

const SECRET = new Uint8Array(32).fill(7);
const ALL = Claim.AUTH | Claim.IDENTITY | Claim.AGE_18 | Claim.AGE_20;

describe("operator derivations", function () {
  describe("age in JST", function () {
    it("turns 18 at 00:00 JST on the birthday (15:00 UTC the day before)", function () {
      expect(ageInJst("2008-10-31", new Date("2026-10-30T14:59:59Z"))).to.equal(17);
      expect(ageInJst("2008-10-31", new Date("2026-10-30T15:00:00Z"))).to.equal(18);
    });
    it("counts a 29 February birthday from 1 March in a non-leap year", function () {
      expect(ageInJst("2008-02-29", new Date("2026-02-28T03:00:00Z"))).to.equal(17);
      expect(ageInJst("2008-02-29", new Date("2026-02-28T15:00:00Z"))).to.equal(18); // 1 March JST
    });
    it("rejects a malformed date", function () {
      expect(() => ageInJst("20081031", new Date())).to.throw(KycError);
    });
  });

  describe("claims", function () {
    const at = new Date("2026-10-30T15:00:00Z"); // 2026-10-31 JST
    it("gives AUTH only without a verified signing certificate, whatever is disclosed", function () {
      expect(
        deriveClaims({ disclose: ALL, signingCertificateVerified: false, dateOfBirth: "1990-01-01", at }),
      ).to.equal(Claim.AUTH);
    });
    it("derives AGE_18 / AGE_20 at the boundaries of the grid period's start (2026-07-02 JST for this `at`)", function () {
      expect(ageReferenceTime(at).toISOString()).to.equal("2026-07-02T04:49:48.000Z");
      const c = (dob: string) =>
        deriveClaims({ disclose: ALL, signingCertificateVerified: true, dateOfBirth: dob, at });
      expect(c("2008-07-03")).to.equal(Claim.AUTH | Claim.IDENTITY); // 17 at the period's start
      expect(c("2008-07-02")).to.equal(Claim.AUTH | Claim.IDENTITY | Claim.AGE_18); // 18 on that day
      expect(c("2006-07-03")).to.equal(Claim.AUTH | Claim.IDENTITY | Claim.AGE_18); // 19
      expect(c("2006-07-02")).to.equal(ALL); // 20 on that day
      // 18 on the day of attestation but not at the period's start: AGE_18 waits for the next boundary (the moment it
      // appears would otherwise date the birthday)
      expect(c("2008-10-31")).to.equal(Claim.AUTH | Claim.IDENTITY);
    });
    it("never publishes more than disclosed, and always AUTH", function () {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.boolean(), (disclose, signed) => {
          const claims = deriveClaims({ disclose, signingCertificateVerified: signed, dateOfBirth: "1970-01-01", at });
          return (claims & Claim.AUTH) !== 0 && (claims & ~(disclose | Claim.AUTH)) === 0;
        }),
      );
    });
    it("gives no age claim when the date of birth is unknown", function () {
      expect(deriveClaims({ disclose: ALL, signingCertificateVerified: true, dateOfBirth: null, at })).to.equal(
        Claim.AUTH | Claim.IDENTITY,
      );
    });
  });

  describe("person tag", function () {
    const base = { dateOfBirth: "1990-04-01", gender: "1", name: "試験　太郎" };
    it("is an HMAC-SHA256 over the documented length-prefixed form", function () {
      const canonical = Buffer.from(personTagCanonical(base));
      const fields = ["jpki-kyc/person-tag/v1", "1990-04-01", "1", "試験　太郎"];
      const expected = Buffer.concat(
        fields.flatMap((f) => {
          const b = Buffer.from(f, "utf8");
          const len = Buffer.alloc(4);
          len.writeUInt32BE(b.length);
          return [len, b];
        }),
      );
      expect(canonical.equals(expected)).to.equal(true);
      expect(personTag(SECRET, base)).to.match(/^0x[0-9a-f]{64}$/);
    });
    it("normalises spaces and Unicode form", function () {
      const tag = personTag(SECRET, base);
      expect(personTag(SECRET, { ...base, name: "試験 太郎" })).to.equal(tag);
      expect(personTag(SECRET, { ...base, name: " 試験　　太郎　" })).to.equal(tag);
      const nfd = "テスト　ガ".normalize("NFD");
      expect(personTag(SECRET, { ...base, name: nfd })).to.equal(personTag(SECRET, { ...base, name: "テスト　ガ" }));
      expect(canonicalName("A\tB")).to.equal("A\u3000B");
    });
    it("differs for different people, secrets and field splits", function () {
      const tag = personTag(SECRET, base);
      expect(personTag(SECRET, { ...base, gender: "2" })).to.not.equal(tag);
      expect(personTag(SECRET, { ...base, dateOfBirth: "1990-04-02" })).to.not.equal(tag);
      expect(personTag(SECRET, { ...base, name: "試験　太朗" })).to.not.equal(tag);
      expect(personTag(new Uint8Array(32).fill(8), base)).to.not.equal(tag);
      // Moving characters between fields changes the encoding (length prefixes).
      const a = personTagCanonical({ dateOfBirth: null, gender: "12", name: "3" });
      const b = personTagCanonical({ dateOfBirth: null, gender: "1", name: "23" });
      expect(Buffer.from(a).equals(Buffer.from(b))).to.equal(false);
    });
    it("refuses a short secret", function () {
      expect(() => personTag(new Uint8Array(16), base))
        .to.throw(OperatorError)
        .with.property("code", "OPERATOR_SECRET");
    });
  });

  describe("expiry cap and age reference (the half-year grid)", function () {
    it("the grid is half a mean Gregorian year, as in the registry", function () {
      expect(EXPIRY_GRID_SECONDS).to.equal((365.2425 * 86_400) / 2);
    });
    it("judges ages at the start of the grid period: AGE_20 appears only at the first boundary after the birthday", function () {
      const birth = "2006-07-15"; // 20 on 2026-07-15
      const boundaryAfter = ageReferenceTime(new Date("2027-06-30T00:00:00Z"));
      expect(boundaryAfter.getTime()).to.be.greaterThan(Date.parse("2026-07-15T00:00:00Z"));
      const onBirthday = deriveClaims({
        disclose: 0xff,
        signingCertificateVerified: true,
        dateOfBirth: birth,
        at: new Date("2026-07-16T00:00:00Z"),
      });
      expect(onBirthday & Claim.AGE_20).to.equal(0); // the period started before the 20th birthday
      const afterBoundary = deriveClaims({
        disclose: 0xff,
        signingCertificateVerified: true,
        dateOfBirth: birth,
        at: new Date(boundaryAfter.getTime() + 86_400_000),
      });
      expect(afterBoundary & Claim.AGE_20).to.equal(Claim.AGE_20);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 4_000_000_000 }), (seconds) => {
          const ref = ageReferenceTime(new Date(seconds * 1000)).getTime() / 1000;
          return ref % EXPIRY_GRID_SECONDS === 0 && ref <= seconds && seconds - ref < EXPIRY_GRID_SECONDS;
        }),
      );
    });
    it("rounds notAfter down to the grid", function () {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 4_000_000_000 }), (seconds) => {
          const cap = expiryCap(new Date(seconds * 1000));
          return cap % EXPIRY_GRID_SECONDS === 0 && cap <= seconds && seconds - cap < EXPIRY_GRID_SECONDS;
        }),
      );
      expect(expiryCap(new Date(EXPIRY_GRID_SECONDS * 1000 * 700))).to.equal(EXPIRY_GRID_SECONDS * 700);
      expect(expiryCap(new Date(EXPIRY_GRID_SECONDS * 1000 * 700 - 1000))).to.equal(EXPIRY_GRID_SECONDS * 699);
    });
  });

  describe("operator secret", function () {
    it("uses the public dev default on chain 31337 only", function () {
      expect(resolveOperatorSecret(undefined, 31337n)).to.deep.equal({
        bytes: DEV_OPERATOR_SECRET,
        source: "dev-default",
      });
      expect(() => resolveOperatorSecret(undefined, 11155111n))
        .to.throw(OperatorError)
        .with.property("code", "OPERATOR_SECRET");
      expect(() => resolveOperatorSecret("", 1n)).to.throw(OperatorError);
    });
    it("parses hex of at least 32 bytes and rejects anything else", function () {
      expect(resolveOperatorSecret("ab".repeat(32), 1n).source).to.equal("configured");
      expect(resolveOperatorSecret("0x" + "ab".repeat(40), 1n).bytes).to.have.length(40);
      expect(() => resolveOperatorSecret("ab".repeat(16), 1n)).to.throw(OperatorError);
      expect(() => resolveOperatorSecret("not hex at all, but long enough to be 32 characters", 1n)).to.throw(
        OperatorError,
      );
    });
  });
});
