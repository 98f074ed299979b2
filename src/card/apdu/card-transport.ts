/**
 * A channel that carries command APDUs to a card and returns its response APDUs (data ‖ SW1 SW2).
 * Implementations: the in-process transport to the virtual card, and PC/SC.
 * Errors are `CardError`s (`CARD_REMOVED` when the card goes away mid-operation).
 */
export interface CardTransport {
  /** A short description of the reader/card, for messages. */
  readonly description: string;
  /** Sends one command APDU and returns the full response including the status word. */
  transmit(apdu: Uint8Array): Promise<Uint8Array>;
  /** Releases the reader. Safe to call twice. */
  close(): Promise<void>;
}
