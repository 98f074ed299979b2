import { RevocationReason } from "../chain/registry-abi.js";
import type { RegistryClient } from "../chain/registry-client.js";
import type { CrlSyncChain } from "./crl-sync.js";

/** {@link CrlSyncChain} over a connected {@link RegistryClient} (with a signer holding ATTESTER_ROLE). */
export function crlSyncChain(client: RegistryClient): CrlSyncChain {
  return {
    chainId: client.chainId,
    registry: client.address,
    async revokeBatch(subjects, pii, onSent) {
      const outcome = await client.send("revokeBatch", [subjects, RevocationReason.CertificateInvalid], {
        pii,
        onSent,
      });
      const revoked = outcome.events.filter((e) => e.name === "Revoked").map((e) => String(e.args[0]));
      return { hash: outcome.hash, gasUsed: outcome.gasUsed, revoked };
    },
    async recordCrlSync() {
      const outcome = await client.send("recordCrlSync", [], { pii: [] });
      return { hash: outcome.hash, gasUsed: outcome.gasUsed };
    },
    async statusOf(subject) {
      return (await client.attestationOf(subject)).statusName;
    },
    async isOwnRecord(subject, keyNullifier) {
      const record = await client.attestationOf(subject);
      if (record.statusName === "None") return true;
      const me = await client.signer().getAddress();
      if (record.attester.toLowerCase() !== me.toLowerCase()) return false;
      return client.read<boolean>("isCurrentKey", subject, keyNullifier);
    },
  };
}
