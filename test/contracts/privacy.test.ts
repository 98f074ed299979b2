/**
 * Privacy: an attestation must put nothing from the holder's certificate on chain — not in storage, events or
 * calldata. A synthetic JPKI-like authentication certificate is built around the test card's key; after the
 * attestation every log, the calldata and every storage slot the transaction wrote (found with
 * debug_traceTransaction) is scanned for any 8-byte window of the certificate outside its public key.
 */
import { webcrypto } from "node:crypto";

import * as asn1js from "asn1js";
import { expect } from "chai";
import { getBytes, hexlify } from "ethers";
import { network } from "hardhat";
import * as pkijs from "pkijs";

import {
  Claims,
  createTestCard,
  gridFloor,
  keyNullifier,
  spkiDer,
  testCard,
  type TestCard,
} from "../helpers/card-proof.js";
import { attestWith, deployRegistryFixture, makeRequest } from "../helpers/registry-fixture.js";

const { ethers, provider } = await network.create();

pkijs.setEngine(
  "b2-privacy-test",
  new pkijs.CryptoEngine({
    name: "node",
    crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]["crypto"],
  }),
);

interface SyntheticCert {
  der: Uint8Array;
  /** certificate parts that must never reach the chain */
  secrets: { name: string; bytes: Uint8Array }[];
  notAfter: Date;
}

async function syntheticAuthCertificate(card: TestCard, ca: TestCard): Promise<SyntheticCert> {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: new Uint8Array([0x5e, 0xc2, 0x37, 0x71]).buffer });
  const rdn = (type: string, value: string, printable = false) =>
    new pkijs.AttributeTypeAndValue({
      type,
      value: printable ? new asn1js.PrintableString({ value }) : new asn1js.Utf8String({ value }),
    });
  cert.issuer.typesAndValues.push(rdn("2.5.4.6", "JP", true), rdn("2.5.4.10", "JPKI-SYNTHETIC-TEST"));
  cert.subject.typesAndValues.push(rdn("2.5.4.6", "JP", true), rdn("2.5.4.3", "FAKE0TEST0HOLDER0000001"));
  cert.notBefore.value = new Date("2025-04-01T00:00:00Z");
  const notAfter = new Date("2030-07-23T14:59:59Z"); // a "birthday" 14:59:59Z
  cert.notAfter.value = notAfter;
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(spkiDer(card));
  cert.extensions = [
    new pkijs.Extension({
      extnID: "2.5.29.31", // CRL distribution point naming a fake municipality
      critical: false,
      extnValue: new asn1js.Utf8String({ value: "OU=Testshi-ken,CN=Fakecity CRLDP" }).toBER(false),
    }),
    new pkijs.Extension({
      extnID: "2.5.29.32", // JPKI auth policy OID
      critical: true,
      extnValue: new asn1js.ObjectIdentifier({ value: "1.2.392.200149.8.5.1.3.30" }).toBER(false),
    }),
  ];
  const caKey = await webcrypto.subtle.importKey(
    "pkcs8",
    ca.privateKey.export({ format: "der", type: "pkcs8" }),
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    false,
    ["sign"],
  );
  await cert.sign(caKey as unknown as Parameters<pkijs.Certificate["sign"]>[0], "SHA-256");
  const der = new Uint8Array(cert.toSchema(true).toBER(false));
  const ber = (x: { toSchema(): { toBER(s: boolean): ArrayBuffer } }) => new Uint8Array(x.toSchema().toBER(false));
  const tbs = new Uint8Array(cert.encodeTBS().toBER(false));
  const spki = spkiDer(card);
  // the TBS with the public key cut out
  const at = indexOf(tbs, spki);
  expect(at).to.be.greaterThan(0);
  return {
    der,
    notAfter,
    secrets: [
      { name: "serial", bytes: new Uint8Array(cert.serialNumber.valueBlock.valueHexView) },
      { name: "subject", bytes: ber(cert.subject) },
      { name: "issuer", bytes: ber(cert.issuer) },
      { name: "tbs before the key", bytes: tbs.slice(0, at) },
      { name: "tbs after the key", bytes: tbs.slice(at + spki.length) },
      { name: "certificate signature", bytes: new Uint8Array(cert.signatureValue.valueBlock.valueHexView) },
      { name: "notAfter as uint64", bytes: getBytes(ethers.toBeHex(BigInt(notAfter.getTime() / 1000), 8)) },
    ],
  };
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Every window of `size` bytes (or the whole secret if shorter) that occurs in `data`. */
function leaks(data: Uint8Array, secret: Uint8Array, size = 8): boolean {
  if (secret.length <= size) return indexOf(data, secret) >= 0;
  for (let i = 0; i + size <= secret.length; i++) if (indexOf(data, secret.slice(i, i + size)) >= 0) return true;
  return false;
}

describe("privacy (v2): nothing from the certificate reaches the chain", function () {
  it("scan logs, calldata (card and wallet signatures included) and every written storage slot of an identity-level attestation", async function () {
    const f = await deployRegistryFixture(ethers);
    const card = testCard(0);
    const cert = await syntheticAuthCertificate(card, createTestCard(2048));
    // the secrets are really in the certificate (the scan could find them)
    for (const s of cert.secrets.slice(0, 6)) expect(leaks(cert.der, s.bytes), s.name).to.equal(true);

    const notAfter = BigInt(cert.notAfter.getTime() / 1000);
    const req = await makeRequest(ethers, f.alice.address, {
      claims: Claims.AUTH | Claims.IDENTITY | Claims.AGE_18 | Claims.AGE_20,
      personTag: ethers.id("hmac person tag"),
      expiryCap: gridFloor(notAfter),
    });
    expect(req.expiryCap).to.not.equal(notAfter);
    const tx = await attestWith(f.registry, f.attester, card, req);
    const receipt = await tx.wait();

    const blobs: { where: string; bytes: Uint8Array }[] = [{ where: "calldata", bytes: getBytes(tx.data) }];
    for (const log of receipt!.logs) {
      blobs.push({ where: "log data", bytes: getBytes(log.data) });
      for (const t of log.topics) blobs.push({ where: "log topic", bytes: getBytes(t) });
    }
    const trace = (await provider.request({
      method: "debug_traceTransaction",
      params: [tx.hash, {}],
    })) as { structLogs: { op: string; stack?: string[] }[] };
    const written = new Set<string>();
    for (const step of trace.structLogs) {
      if (step.op !== "SSTORE" || step.stack === undefined) continue;
      const key = step.stack[step.stack.length - 1]!;
      written.add(ethers.toBeHex(BigInt(key), 32));
    }
    expect(written.size).to.be.greaterThanOrEqual(4); // record, key nullifier, person tag owner, person tag
    for (const slot of written) {
      const value = await provider.request({ method: "eth_getStorageAt", params: [f.address, slot, "latest"] });
      blobs.push({ where: `storage ${slot}`, bytes: getBytes(value as string) });
      blobs.push({ where: `storage key ${slot}`, bytes: getBytes(slot) });
    }
    expect(blobs.length).to.be.greaterThan(8);
    // control: the scanner does find what is allowed on chain (the card's modulus in calldata, the nullifier in logs)
    expect(leaks(blobs[0]!.bytes, getBytes(card.modulus))).to.equal(true);
    expect(blobs.some((b) => b.where === "log topic" && leaks(b.bytes, getBytes(keyNullifier(card.modulus))))).to.equal(
      true,
    );
    for (const b of blobs) {
      for (const s of cert.secrets) {
        expect(leaks(b.bytes, s.bytes), `${s.name} found in ${b.where}: ${hexlify(b.bytes)}`).to.equal(false);
      }
    }
    // the whole certificate DER never appears either (any 16-byte window outside the public key)
    const spki = spkiDer(card);
    const at = indexOf(cert.der, spki);
    const outside = [cert.der.slice(0, at), cert.der.slice(at + spki.length)];
    for (const b of blobs) for (const part of outside) expect(leaks(b.bytes, part, 16), b.where).to.equal(false);
  });
});
