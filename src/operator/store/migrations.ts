/**
 * The operator store's schema, as an ordered list of migrations. A migration is never edited once released:
 * changes are new entries with the next version. `schema_version` records every applied version.
 *
 * Privacy: the store keeps the minimum needed to find an attestation again and to match it against a CRL
 * (issuer key id, serial, notAfter, CRL partition of each certificate), and the highest CRL number used per CRL
 * scope (no CRL entry). It never stores certificate attributes
 * (name, date of birth, gender, address), the certificate itself or the card signature.
 */
export interface Migration {
  /** Strictly increasing from 1 (a version may be left free for another branch). */
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "attestations and the certificates backing them",
    sql: `
      CREATE TABLE attestations (
        id              INTEGER PRIMARY KEY,
        chain_id        TEXT    NOT NULL,            -- decimal string (chain ids can exceed 2^53)
        registry        TEXT    NOT NULL,            -- lower-case 0x address
        subject         TEXT    NOT NULL,            -- lower-case 0x address
        key_nullifier   TEXT    NOT NULL,            -- 0x bytes32, keccak256(modulus)
        person_tag      TEXT,                        -- 0x bytes32 or NULL (no IDENTITY claim)
        claims          INTEGER NOT NULL,
        ca_id           INTEGER NOT NULL,
        expiry_cap      INTEGER NOT NULL,            -- unix seconds, on the 30-day grid
        mode            TEXT    NOT NULL CHECK (mode IN ('direct', 'relay')),
        relay_deadline  INTEGER,                     -- unix seconds, relay mode only
        status          TEXT    NOT NULL CHECK (status IN ('pending', 'active', 'revoke-pending', 'revoked', 'failed')),
        tx_hash         TEXT,                        -- the attest transaction (unknown for relay until seen)
        revoke_tx_hash  TEXT,
        error           TEXT,                        -- why a row is 'failed' (one line, no certificate data)
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
      );
      CREATE INDEX attestations_by_subject ON attestations (chain_id, registry, subject);
      CREATE INDEX attestations_by_status ON attestations (chain_id, registry, status);
      -- At most one live row per subject and registry.
      CREATE UNIQUE INDEX attestations_live_subject ON attestations (chain_id, registry, subject)
        WHERE status IN ('pending', 'active', 'revoke-pending');

      CREATE TABLE certificates (
        attestation_id  INTEGER NOT NULL REFERENCES attestations (id),
        role            TEXT    NOT NULL CHECK (role IN ('auth', 'sign')),
        issuer_key_id   TEXT    NOT NULL,            -- lower-case hex of the issuing CA's subject key id
        partition       TEXT    NOT NULL,            -- CRL partition (distribution point) of the certificate
        serial          TEXT    NOT NULL,            -- lower-case hex, as the PKI layer reports it
        not_after       INTEGER NOT NULL,            -- unix seconds
        PRIMARY KEY (attestation_id, role)
      ) WITHOUT ROWID;
      -- crl-sync walks one (issuer, partition) at a time and looks each serial up in that CRL's index.
      CREATE INDEX certificates_by_crl ON certificates (issuer_key_id, partition, serial);
    `,
  },
  {
    version: 2,
    description: "re-attestation: the row a new attestation supersedes, and the holder nonce it consumes",
    sql: `
      -- The live row this attestation replaces on chain (re-attestation or renewal of the same subject). That row
      -- is closed (status 'revoked', error 'superseded ...') when this one is inserted, and reopened if this one fails.
      ALTER TABLE attestations ADD COLUMN supersedes INTEGER REFERENCES attestations (id);
      -- The holder nonce signed in the binding (decimal string). The attestation landed iff the chain's nonce is past it
      -- (a re-attestation keeps the key bound to the subject, so keyNullifierOwner alone cannot tell).
      ALTER TABLE attestations ADD COLUMN binding_nonce TEXT;
      -- crl-sync keeps checking a superseded row while its successor is pending.
      CREATE INDEX attestations_by_supersedes ON attestations (supersedes);
    `,
  },
  {
    version: 3,
    description: "CRL rollback protection: the highest cRLNumber used per issuer key and CRL scope",
    sql: `
      -- A CRL whose number is lower than the one recorded here for its (chain, registry, issuer key, scope) is refused.
      CREATE TABLE crl_numbers (
        chain_id        TEXT    NOT NULL,            -- decimal string
        registry        TEXT    NOT NULL,            -- lower-case 0x address
        issuer_key_id   TEXT    NOT NULL,            -- lower-case hex subject key id of the CA that signed the CRL
        scope           TEXT    NOT NULL,            -- the CRL's partition, or '*' for a full CRL (no distribution point)
        crl_number      TEXT    NOT NULL,            -- lower-case hex without leading zeros (up to 20 octets)
        updated_at      INTEGER NOT NULL,
        PRIMARY KEY (chain_id, registry, issuer_key_id, scope)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    description: "protocol v2: binding deadline, verification records, signing-claim drop state",
    sql: `
      -- The binding deadline (unix seconds): a pending row whose attestation has not landed fails only once the chain's
      -- time is past it (or its transaction reverted) -- never after a wall-clock grace period.
      ALTER TABLE attestations ADD COLUMN binding_deadline INTEGER;
      -- crl-sync's view of a certificate: 'checked' (looked up in its CRL), 'drop-pending' (the signing certificate is
      -- listed and dropSigningClaims is being sent), 'dropped' (its claims were dropped on chain: no longer checked).
      ALTER TABLE certificates ADD COLUMN state TEXT NOT NULL DEFAULT 'checked'
        CHECK (state IN ('checked', 'drop-pending', 'dropped'));
      ALTER TABLE certificates ADD COLUMN drop_tx_hash TEXT;
      -- One signing certificate backs the live attestation of one subject only (insertPending looks it up by serial).
      CREATE INDEX certificates_by_serial ON certificates (issuer_key_id, serial);
      -- The operator's verification record of an attestation (what was checked, when, against which CRL; never a
      -- certificate attribute), with the salt of its on-chain commitment. Kept for the legal retention period.
      CREATE TABLE verification_records (
        attestation_id  INTEGER PRIMARY KEY REFERENCES attestations (id),
        canonical       TEXT    NOT NULL,            -- the canonical JSON committed to
        salt            TEXT    NOT NULL,            -- 0x, 32 bytes
        commitment      TEXT    NOT NULL             -- 0x bytes32, keccak256(salt || utf8(canonical)): the Attested event's
      );
    `,
  },
];
