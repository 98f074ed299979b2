import type { KeyObject } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

import { ageOn } from "../age.js";
import { parseCertificate, toHex } from "../certificate.js";
import { OID, reasonCode } from "../oids.js";
import { PkiError } from "../pki-error.js";
import { Drbg } from "./drbg.js";
import type {
  DevPkiCa,
  DevPkiCertStatus,
  DevPkiCrl,
  DevPkiCrlEntry,
  DevPkiHolder,
  DevPkiHolderCert,
  DevPkiManifest,
  DevPkiPartition,
} from "./manifest.js";
import {
  aiaOcspValue,
  akiValue,
  basicConstraintsCa,
  crlDpValue,
  dirNameGeneralNames,
  extKeyUsageValue,
  issueCertificate,
  issueCrlDer,
  keyIdOf,
  keyUsageValue,
  otherNamesValue,
  policiesValue,
  skiValue,
  type CertSpec,
} from "./profile.js";
import { deterministicRsaKey } from "./rsa-keygen.js";
import {
  CA_NAMES,
  CA_SUBJECT_ALT_NAME,
  CPS_URI,
  FAMILY_NAMES,
  GIVEN_NAMES,
  ISSUER_ALT_NAMES,
  MUNICIPALITIES,
  OCSP_URIS,
  STREETS,
  crlDpName,
} from "./world.js";
import { slug } from "../certificate.js";

/** Options of `generateDevPki`. */
export interface GenerateDevPkiOptions {
  /** Output folder (created; existing files are overwritten). */
  out: string;
  /** DRBG seed; the same seed and `now` give byte-identical output. Default 1. */
  seed?: number;
  /** Number of holders (default 10: the ten fixed scenarios; more adds ordinary adults; fewer takes the first N). */
  holders?: number;
  /** Reference instant. Default: the start of the current UTC day (so a day's worlds are identical). */
  now?: Date;
}

const DAY = 86_400_000;
const YEAR = 365 * DAY;

/** The fixed scenarios, in holder order. */
interface Scenario {
  scenario: string;
  age: number;
  gen: 1 | 2;
  leapDay?: boolean;
  /** Days before `now` the certificates were issued (negative: in the future). */
  issuedDaysAgo: number;
  revokeAuth?: string;
  revokeSign?: string;
  gender: "1" | "2" | "3";
  nameSubstitute?: boolean;
}

const SCENARIOS: Scenario[] = [
  { scenario: "adult", age: 34, gen: 2, issuedDaysAgo: 40, gender: "1" },
  { scenario: "age-19", age: 19, gen: 2, issuedDaysAgo: 60, gender: "2" },
  { scenario: "age-17", age: 17, gen: 2, issuedDaysAgo: 80, gender: "3", nameSubstitute: true },
  { scenario: "minor-12", age: 12, gen: 2, issuedDaysAgo: 100, gender: "2" },
  { scenario: "leap-day", age: 0, leapDay: true, gen: 1, issuedDaysAgo: 760, gender: "1" },
  {
    scenario: "revoked-key-compromise",
    age: 45,
    gen: 2,
    issuedDaysAgo: 120,
    revokeAuth: "keyCompromise",
    revokeSign: "superseded",
    gender: "2",
  },
  {
    scenario: "revoked-hold",
    age: 52,
    gen: 1,
    issuedDaysAgo: 800,
    revokeAuth: "certificateHold",
    revokeSign: "certificateHold",
    gender: "1",
  },
  { scenario: "expired", age: 61, gen: 1, issuedDaysAgo: 5 * 365 + 200, gender: "2" },
  { scenario: "not-yet-valid", age: 28, gen: 2, issuedDaysAgo: -3, gender: "1" },
  {
    scenario: "sign-affiliation-changed",
    age: 39,
    gen: 2,
    issuedDaysAgo: 150,
    revokeSign: "affiliationChanged",
    gender: "2",
  },
];

interface CaState {
  info: DevPkiCa;
  key: KeyObject;
  keyId: Uint8Array;
  serial: Uint8Array;
  kind: "auth" | "sign";
  generation: number;
}

interface Revocation {
  kind: "auth" | "sign";
  caId: string;
  partition: string;
  serial: Uint8Array;
  holderId?: string;
  reason: string;
  revokedAt: Date;
}

/**
 * Writes a complete synthetic JPKI world (see `DevPkiManifest` and the layout in the PKI spec) and returns its
 * manifest. Deterministic: the same `seed`, `holders` and `now` give byte-identical files.
 */
export async function generateDevPki(options: GenerateDevPkiOptions): Promise<DevPkiManifest> {
  const seed = options.seed ?? 1;
  const holderCount = options.holders ?? SCENARIOS.length;
  if (!Number.isInteger(seed) || seed < 0)
    throw new PkiError("PKI_BAD_ARGUMENT", "seed must be a non-negative integer");
  if (!Number.isInteger(holderCount) || holderCount < 1 || holderCount > 500) {
    throw new PkiError("PKI_BAD_ARGUMENT", "holders must be an integer from 1 to 500");
  }
  const now = options.now ?? new Date(Math.floor(Date.now() / DAY) * DAY);
  if (Number.isNaN(now.getTime())) throw new PkiError("PKI_BAD_ARGUMENT", "invalid `now`");
  const out = options.out;
  const root = new Drbg(seed, "world");
  const write = (rel: string, data: Uint8Array | string, secret = false) => {
    const p = join(out, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, data, secret ? { mode: 0o600 } : undefined);
  };

  // ---- CA generations: gen1 (old, still valid) and gen2 (current): a rollover ----
  const cas: CaState[] = [];
  for (const kind of ["auth", "sign"] as const) {
    for (const generation of [1, 2]) {
      const d = root.fork(`ca-${kind}-${generation}`);
      const key = deterministicRsaKey(d.fork("key"));
      const keyId = keyIdOf(key);
      const serial = serialBytes(d);
      const notBefore = atUtc(now.getTime() - (generation === 1 ? 6 * YEAR : YEAR), 1, 0, 0);
      const notAfter = endOfJstDay(new Date(notBefore.getTime() + 10 * YEAR - DAY));
      const spec: CertSpec = {
        serial,
        issuer: CA_NAMES[kind],
        subject: CA_NAMES[kind],
        notBefore,
        notAfter,
        subjectKey: key,
        extensions: [
          [OID.keyUsage, true, keyUsageValue([5, 6])],
          [OID.subjectAltName, false, dirNameGeneralNames(CA_SUBJECT_ALT_NAME)],
          [OID.basicConstraints, true, basicConstraintsCa()],
          [OID.cRLDistributionPoints, false, crlDpValue(CA_NAMES[kind])],
          [OID.subjectKeyIdentifier, false, skiValue(keyId)],
        ],
      };
      const der = issueCertificate(spec, key);
      const parsed = parseCertificate(der);
      const id = `${kind}-gen${generation}`;
      write(`ca/${id}.der`, der);
      write(`ca/${id}.key.pem`, pkcs8(key), true);
      cas.push({
        key,
        keyId,
        serial,
        kind,
        generation,
        info: {
          id,
          kind,
          generation,
          cert: `ca/${id}.der`,
          key: `ca/${id}.key.pem`,
          serialHex: parsed.serialHex,
          subjectKeyId: toHex(keyId),
          spkiSha256: parsed.spkiSha256,
          sha256Fingerprint: parsed.sha256Fingerprint,
          notBefore: notBefore.toISOString(),
          notAfter: notAfter.toISOString(),
        },
      });
    }
  }
  const ca = (kind: "auth" | "sign", generation: number) =>
    cas.find((c) => c.kind === kind && c.generation === generation)!;

  const partitions: DevPkiPartition[] = MUNICIPALITIES.map((m) => ({
    partition: `${slug(m.prefecture)}_${slug(m.city)}`,
    ...m,
  }));

  // ---- holders ----
  const holders: DevPkiHolder[] = [];
  const revocations: Revocation[] = [];
  for (let i = 0; i < holderCount; i++) {
    const d = root.fork(`holder-${i}`);
    const fixed = SCENARIOS[i];
    const sc: Scenario = fixed
      ? { ...fixed }
      : {
          scenario: "adult",
          age: 20 + d.int(60),
          gen: d.int(2) === 0 ? 1 : 2,
          issuedDaysAgo: 10 + d.int(300),
          gender: d.pick(["1", "2"] as const),
        };
    if (sc.gen === 1 && sc.issuedDaysAgo < 400) sc.issuedDaysAgo += 400;
    const id = `h${String(i + 1).padStart(2, "0")}`;
    const muni = MUNICIPALITIES[i % MUNICIPALITIES.length]!;
    const part = partitions[i % partitions.length]!;
    const dob = sc.leapDay ? leapDayBirth(now) : birthForAge(now, sc.age, 20 + ((i * 37) % 300));
    const age = ageOn(dob, now);
    const name = `${d.pick(FAMILY_NAMES)}\u3000${d.pick(GIVEN_NAMES)}`;
    const address = `${muni.prefectureJa}${muni.cityJa}${d.pick(STREETS)}${1 + d.int(9)}丁目${1 + d.int(20)}番${1 + d.int(30)}号`;
    const issuedAt = atUtc(now.getTime() - sc.issuedDaysAgo * DAY, 0, 30 + d.int(29), d.int(60));
    const notAfter = fifthBirthdayAfter(dob, issuedAt);
    const status = (revoked: string | undefined): DevPkiCertStatus =>
      revoked ? "revoked" : notAfter < now ? "expired" : issuedAt > now ? "not-yet-valid" : "good";
    const dir = `holders/${id}`;
    const minor = age < 15;

    const issueHolderCert = (kind: "auth" | "sign", revoked: string | undefined): DevPkiHolderCert => {
      const kd = d.fork(kind);
      const key = deterministicRsaKey(kd.fork("key"));
      const issuer = ca(kind, sc.gen);
      const serial = serialBytes(kd);
      const identifier = cardIdentifier(kd);
      const subject =
        kind === "auth"
          ? ([
              ["C", "JP"],
              ["CN", identifier],
            ] as const)
          : ([
              ["C", "JP"],
              ["L", muni.prefecture],
              ["L", muni.city],
              ["CN", identifier],
            ] as const);
      const extensions: [string, boolean, Uint8Array][] = [];
      if (kind === "auth") {
        extensions.push([OID.keyUsage, true, keyUsageValue([0])]);
        extensions.push([OID.extKeyUsage, false, extKeyUsageValue(OID.clientAuth)]);
        extensions.push([OID.certificatePolicies, true, policiesValue(OID.jpkiAuthPolicy, CPS_URI)]);
      } else {
        extensions.push([OID.keyUsage, true, keyUsageValue([0, 1])]);
        extensions.push([OID.certificatePolicies, true, policiesValue(OID.jpkiSignPolicy, CPS_URI)]);
        const nameFlags = [...name].map((_, k) => (sc.nameSubstitute && k === 1 ? "1" : "0")).join("");
        extensions.push([
          OID.subjectAltName,
          false,
          otherNamesValue([
            [OID.attrName, name],
            [OID.attrDateOfBirth, jpkiDate(dob)],
            [OID.attrGender, sc.gender],
            [OID.attrAddress, address],
            [OID.attrNameSubstitutes, nameFlags],
            [OID.attrAddressSubstitutes, "0".repeat([...address].length)],
          ]),
        ]);
      }
      extensions.push([OID.issuerAltName, false, dirNameGeneralNames(ISSUER_ALT_NAMES[kind])]);
      extensions.push([OID.cRLDistributionPoints, false, crlDpValue(crlDpName(kind, muni.prefecture, muni.city))]);
      extensions.push([OID.authorityInfoAccess, false, aiaOcspValue(OCSP_URIS[kind])]);
      extensions.push([OID.authorityKeyIdentifier, false, akiValue(issuer.keyId, CA_NAMES[kind], issuer.serial)]);
      extensions.push([OID.subjectKeyIdentifier, false, skiValue(keyIdOf(key))]);
      const der = issueCertificate(
        { serial, issuer: CA_NAMES[kind], subject, notBefore: issuedAt, notAfter, subjectKey: key, extensions },
        issuer.key,
      );
      write(`${dir}/${kind}.der`, der);
      write(`${dir}/${kind}.key.pem`, pkcs8(key), true);
      const serialHex = parseCertificate(der).serialHex;
      const result: DevPkiHolderCert = {
        cert: `${dir}/${kind}.der`,
        key: `${dir}/${kind}.key.pem`,
        serialHex,
        caId: issuer.info.id,
        notBefore: issuedAt.toISOString(),
        notAfter: notAfter.toISOString(),
        status: status(revoked),
      };
      if (revoked) {
        const revokedAt = atUtc(now.getTime() - (2 + (i % 5)) * DAY, 3, 0, 0);
        result.revocation = { reason: revoked, revokedAt: revokedAt.toISOString() };
        revocations.push({
          kind,
          caId: issuer.info.id,
          partition: part.partition,
          serial,
          holderId: id,
          reason: revoked,
          revokedAt,
        });
      }
      return result;
    };

    const holder: DevPkiHolder = {
      id,
      scenario: sc.scenario,
      age,
      minor,
      partition: part.partition,
      attributes: { name, dateOfBirth: dob, gender: sc.gender, address },
      auth: issueHolderCert("auth", sc.revokeAuth),
      card: `${dir}/card.json`,
    };
    if (!minor) holder.sign = issueHolderCert("sign", sc.revokeSign);
    write(
      holder.card,
      JSON.stringify({ authPin: "1234", signPassword: "ABC123", tokenInfo: "JPKIAPICCTOKEN2" }, null, 2) + "\n",
      true,
    );
    holders.push(holder);
  }

  // ---- CRLs: per kind, per CA generation, per municipality; plus unrelated entries so none is trivial ----
  const crls: DevPkiCrl[] = [];
  const extra = root.fork("crl-extra");
  const fillers = ["unspecified", "cessationOfOperation", "affiliationChanged", "superseded", "keyCompromise"];
  for (const c of cas) {
    for (const p of partitions) {
      const own = revocations.filter((r) => r.caId === c.info.id && r.partition === p.partition);
      const others: Revocation[] = [];
      for (let k = 0; k < 3; k++) {
        others.push({
          kind: c.kind,
          caId: c.info.id,
          partition: p.partition,
          serial: serialBytes(extra),
          reason: fillers[extra.int(fillers.length)]!,
          revokedAt: atUtc(now.getTime() - (20 + extra.int(600)) * DAY, 2, 0, 0),
        });
      }
      const all = [...others, ...own].sort((a, b) => a.revokedAt.getTime() - b.revokedAt.getTime());
      const newest = c.generation === 2;
      const base = newest ? `crl/${c.kind}` : `crl/${c.kind}/gen${c.generation}`;
      const thisUpdate = new Date(now.getTime() - 3600_000);
      crls.push(
        writeCrl(
          write,
          c,
          p,
          `${base}/${p.partition}.crl`,
          all,
          thisUpdate,
          new Date(thisUpdate.getTime() + 3 * DAY),
          100,
          false,
        ),
      );
      if (newest) {
        const staleThis = new Date(now.getTime() - 10 * DAY);
        const staleEntries = all.filter((r) => r.revokedAt < staleThis);
        crls.push(
          writeCrl(
            write,
            c,
            p,
            `crl-stale/${c.kind}/${p.partition}.crl`,
            staleEntries,
            staleThis,
            new Date(now.getTime() - 7 * DAY),
            90,
            true,
          ),
        );
      }
    }
  }

  const manifest: DevPkiManifest = {
    version: 1,
    synthetic: true,
    seed,
    now: now.toISOString(),
    partitions,
    cas: cas.map((c) => c.info),
    holders,
    crls,
  };
  write("manifest.json", JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}

function writeCrl(
  write: (rel: string, data: Uint8Array) => void,
  c: CaState,
  p: DevPkiPartition,
  path: string,
  entries: Revocation[],
  thisUpdate: Date,
  nextUpdate: Date,
  crlNumber: number,
  stale: boolean,
): DevPkiCrl {
  const der = issueCrlDer(
    {
      issuer: CA_NAMES[c.kind],
      thisUpdate,
      nextUpdate,
      entries: entries.map((e) => ({
        serial: e.serial,
        revokedAt: e.revokedAt,
        reasonCode: reasonCode(e.reason) ?? 0,
      })),
      authorityKeyId: c.keyId,
      crlNumber,
      distributionPoint: crlDpName(c.kind, p.prefecture, p.city),
    },
    c.key,
  );
  write(path, der);
  return {
    path,
    kind: c.kind,
    caId: c.info.id,
    generation: c.generation,
    partition: p.partition,
    crlNumber,
    thisUpdate: thisUpdate.toISOString(),
    nextUpdate: nextUpdate.toISOString(),
    stale,
    entries: entries.map((e) => {
      const entry: DevPkiCrlEntry = {
        serialHex: serialHexOf(e.serial),
        reason: e.reason,
        revokedAt: e.revokedAt.toISOString(),
      };
      if (e.holderId) entry.holderId = e.holderId;
      return entry;
    }),
  };
}

/** PKCS#8 PEM of a private key. */
export function pkcs8(key: KeyObject): string {
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}

/** A 4-byte positive serial with a non-zero first byte. */
function serialBytes(d: Drbg): Uint8Array {
  const b = d.bytes(4);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b;
}

function serialHexOf(serial: Uint8Array): string {
  return toHex(serial).replace(/^(00)+(?=..)/, "");
}

/** A 23-character card identifier, visibly synthetic (`DEVPKI` prefix). */
function cardIdentifier(d: Drbg): string {
  const alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  let s = "DEVPKI";
  while (s.length < 23) s += alphabet[d.int(alphabet.length)]!;
  return s;
}

function atUtc(ms: number, h: number, m: number, s: number): Date {
  const d = new Date(ms);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), h, m, s));
}

/** 23:59:59 JST on the JST calendar day of `d` (14:59:59Z). */
function endOfJstDay(d: Date): Date {
  const jst = new Date(d.getTime() + 9 * 3600_000);
  return new Date(Date.UTC(jst.getUTCFullYear(), jst.getUTCMonth(), jst.getUTCDate(), 14, 59, 59));
}

/** JST calendar date of an instant as [y, m, d]. */
function jstDate(d: Date): [number, number, number] {
  const j = new Date(d.getTime() + 9 * 3600_000);
  return [j.getUTCFullYear(), j.getUTCMonth() + 1, j.getUTCDate()];
}

function iso(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** A date of birth giving exactly `age` on `now` (JST), whose birthday was `daysAgo` (1..330) days ago. */
function birthForAge(now: Date, age: number, daysAgo: number): string {
  const [ny] = jstDate(now);
  for (let k = daysAgo; ; k++) {
    const [, m, d] = jstDate(new Date(now.getTime() - k * DAY));
    if (m === 2 && d === 29) continue;
    for (const y of [ny - age, ny - age - 1]) {
      const candidate = iso(y, m, d);
      if (ageOn(candidate, now) === age) return candidate;
    }
  }
}

/** 29 February of the latest leap year at least 21 years before `now`. */
function leapDayBirth(now: Date): string {
  let y = jstDate(now)[0] - 21;
  while (!(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) y--;
  return iso(y, 2, 29);
}

/** `EYYYYMMDD` for an ISO date (era digit by the Gregorian date). */
export function jpkiDate(isoDate: string): string {
  const compact = isoDate.replaceAll("-", "");
  const era =
    compact >= "20190501" ? 5 : compact >= "19890108" ? 4 : compact >= "19261225" ? 3 : compact >= "19120730" ? 2 : 1;
  return `${era}${compact}`;
}

/**
 * notAfter of a card certificate: 23:59:59 JST (14:59:59Z) on the holder's 5th birthday after issuance
 * (a 29 February birthday falls on 28 February in common years).
 */
function fifthBirthdayAfter(dob: string, issuedAt: Date): Date {
  const bm = Number(dob.slice(5, 7));
  const bd = Number(dob.slice(8, 10));
  const [iy, im, id] = jstDate(issuedAt);
  const passed = im > bm || (im === bm && id >= bd);
  const y = iy + 5 + (passed ? 0 : -1);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const day = bm === 2 && bd === 29 && !leap ? 28 : bd;
  return new Date(Date.UTC(y, bm - 1, day, 14, 59, 59));
}
