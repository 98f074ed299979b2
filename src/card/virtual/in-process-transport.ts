import type { CardTransport } from "../apdu/card-transport.js";
import { CardError } from "../card-error.js";
import type { VirtualJpkiCard } from "./virtual-jpki-card.js";

/** A `CardTransport` that hands APDUs straight to a virtual card in the same process. */
export class InProcessTransport implements CardTransport {
  readonly description: string;
  private closed = false;
  /** Every command APDU sent, in order (for tests and debugging); VERIFY data (the PIN) is left out. */
  readonly log: Uint8Array[] = [];

  constructor(
    readonly card: VirtualJpkiCard,
    description = "virtual JPKI card",
  ) {
    this.description = description;
  }

  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    if (this.closed) throw new CardError("CARD_BAD_ARGUMENT", "the transport is closed");
    // Like a reader: no card at the first command is "no card"; a card gone later was removed mid-operation.
    if (this.log.length === 0 && !this.card.present) {
      throw new CardError("CARD_NO_CARD", "no card in the (virtual) reader");
    }
    this.log.push(apdu[1] === 0x20 ? apdu.slice(0, 4) : apdu.slice());
    return this.card.transmit(apdu);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
