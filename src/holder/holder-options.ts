import type { Writable } from "node:stream";

import type { Provider, Signer } from "ethers";

import type { CardSigner } from "../card/card-signer.js";

/** What the holder page's local process needs. */
export interface HolderServerOptions {
  /** The chain (reads the registry's nonce and binding digest). */
  readonly provider: Provider;
  /** The card: `virtual:<holder dir>`, `pcsc[:<reader>]` or `pkcs11[:<module>[:<slot>]]`. */
  readonly card: string;
  /** Opens the card for one operation (default: `openCardSigner(card)`); tests pass a card they can pull out. */
  readonly openCard?: () => Promise<CardSigner>;
  /** The operator service's base URL (e.g. `http://127.0.0.1:8787`). */
  readonly operatorUrl: string;
  /**
   * An account that pays for `revokeByCard` when the holder's wallet is lost (the card's signature authorises the
   * revocation; anyone may send it). Undefined: the page offers no revoke-by-card.
   */
  readonly relayer?: Signer;
  /** The project root (deployment look-ups of the commands). */
  readonly projectRoot: string;
  /** Minutes the binding stays valid (default 30). */
  readonly deadlineMinutes?: number;
  /** Log lines (default: none). PINs, signatures, certificates and the anonymous-proof secret are never logged. */
  readonly logStream?: Writable;
}
