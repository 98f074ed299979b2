import { ApduCardSigner } from "./apdu/apdu-card-signer.js";
import { openPcscTransport } from "./apdu/pcsc-transport.js";
import type { CardSigner } from "./card-signer.js";
import { parseCardSpec, type CardSpec } from "./card-spec.js";
import { Pkcs11CardSigner } from "./pkcs11/pkcs11-card-signer.js";
import { InProcessTransport } from "./virtual/in-process-transport.js";
import { VirtualJpkiCard } from "./virtual/virtual-jpki-card.js";

/**
 * Opens the card named by a `--card` value (or a parsed spec): the virtual card of a dev-pki holder folder through
 * the APDU signer, a PC/SC reader through the APDU signer, or a PKCS#11 module.
 */
export async function openCardSigner(
  spec: string | CardSpec,
  options?: { pcscTimeoutMs?: number },
): Promise<CardSigner> {
  const s = typeof spec === "string" ? parseCardSpec(spec) : spec;
  switch (s.kind) {
    case "virtual":
      return new ApduCardSigner(new InProcessTransport(VirtualJpkiCard.fromFolder(s.dir), `virtual card ${s.dir}`));
    case "pcsc": {
      const transport = await openPcscTransport({
        ...(s.reader === undefined ? {} : { reader: s.reader }),
        ...(options?.pcscTimeoutMs === undefined ? {} : { timeoutMs: options.pcscTimeoutMs }),
      });
      return new ApduCardSigner(transport);
    }
    case "pkcs11":
      return Pkcs11CardSigner.open({ module: s.module, ...(s.slot === undefined ? {} : { slot: s.slot }) });
  }
}
