import { existsSync } from "node:fs";
import { CardError } from "../card-error.js";
import type { CardTransport } from "./card-transport.js";

/** Options for opening a PC/SC reader. */
export interface PcscOptions {
  /** A substring of the reader name to use; default: the first reader that has a card. */
  reader?: string;
  /** How long to wait for a reader and a card, in milliseconds. Default 5000. */
  timeoutMs?: number;
}

/** The parts of `@pokusew/pcsclite` this transport uses (the package is an optional dependency). */
interface PcscReader {
  name: string;
  state: number;
  SCARD_STATE_PRESENT: number;
  SCARD_STATE_EMPTY: number;
  SCARD_SHARE_EXCLUSIVE: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_LEAVE_CARD: number;
  on(event: "status", listener: (status: { state: number; atr?: Buffer }) => void): unknown;
  on(event: "end" | "error", listener: (error?: unknown) => void): unknown;
  connect(options: { share_mode?: number; protocol?: number }, cb: (err: unknown, protocol: number) => void): void;
  transmit(data: Buffer, resLen: number, protocol: number, cb: (err: unknown, response: Buffer) => void): void;
  disconnect(disposition: number, cb: (err: unknown) => void): void;
  close(): void;
}
interface PcscContext {
  on(event: "reader", listener: (reader: PcscReader) => void): unknown;
  on(event: "error", listener: (error: unknown) => void): unknown;
  close(): void;
}

/** Loads the optional PC/SC binding, or fails with `CARD_UNAVAILABLE` and a hint. */
async function loadPcsc(): Promise<() => PcscContext> {
  try {
    const mod = (await import("@pokusew/pcsclite")) as unknown as { default: () => PcscContext };
    return mod.default;
  } catch (cause) {
    throw new CardError(
      "CARD_UNAVAILABLE",
      "PC/SC is not available: the optional package @pokusew/pcsclite is missing or not built for this Node " +
        "(install libpcsclite-dev and run `npm rebuild @pokusew/pcsclite`), or use --card pkcs11:<module>",
      { cause },
    );
  }
}

/** pcsc-lite's default client socket (Debian, Ubuntu, Fedora). */
const PCSCD_SOCKET = "/run/pcscd/pcscd.comm";

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Opens a PC/SC reader through `@pokusew/pcsclite` (imported on demand) and connects to the card in it.
 * @throws CardError `CARD_UNAVAILABLE` (binding missing), `CARD_NO_READER` (pcscd not running or no reader),
 *   `CARD_NO_CARD` (a reader but no card within the timeout).
 */
export async function openPcscTransport(options?: PcscOptions): Promise<CardTransport> {
  const factory = await loadPcsc();
  // Without the daemon's socket the binding's native monitor thread retries in a busy loop that blocks the
  // process: refuse before creating a context.
  const socket = process.env.PCSCLITE_CSOCK_NAME ?? PCSCD_SOCKET;
  if (!existsSync(socket)) {
    throw new CardError("CARD_NO_READER", `PC/SC service not available: pcscd is not running (no socket ${socket})`);
  }
  const timeoutMs = options?.timeoutMs ?? 5000;
  let context: PcscContext;
  try {
    context = factory();
  } catch (cause) {
    throw new CardError("CARD_NO_READER", `PC/SC service not available (is pcscd running?): ${errorText(cause)}`, {
      cause,
    });
  }
  return new Promise<CardTransport>((resolve, reject) => {
    let settled = false;
    const readersSeen: string[] = [];
    const fail = (error: CardError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      context.close();
      reject(error);
    };
    const timer = setTimeout(() => {
      if (readersSeen.length === 0) {
        fail(
          new CardError(
            "CARD_NO_READER",
            options?.reader ? `no PC/SC reader matching "${options.reader}"` : "no PC/SC reader found",
          ),
        );
      } else {
        fail(new CardError("CARD_NO_CARD", `no card in ${readersSeen.map((n) => `"${n}"`).join(", ")}`));
      }
    }, timeoutMs);
    context.on("error", (error) => {
      fail(
        new CardError("CARD_NO_READER", `PC/SC service not available (is pcscd running?): ${errorText(error)}`, {
          cause: error,
        }),
      );
    });
    context.on("reader", (reader) => {
      if (options?.reader !== undefined && !reader.name.includes(options.reader)) return;
      readersSeen.push(reader.name);
      const transport = new PcscTransport(context, reader);
      reader.on("error", (error) => transport.markLost(errorText(error)));
      reader.on("end", () => transport.markLost("the reader was disconnected"));
      reader.on("status", (status) => {
        const present = (status.state & reader.SCARD_STATE_PRESENT) !== 0;
        if (!present) {
          transport.markLost("the card was removed from the reader");
          return;
        }
        if (settled || transport.connecting) return;
        transport.connecting = true;
        reader.connect({ share_mode: reader.SCARD_SHARE_EXCLUSIVE }, (err, protocol) => {
          transport.connecting = false;
          if (err) {
            fail(
              new CardError("CARD_NO_CARD", `cannot connect to the card in "${reader.name}": ${errorText(err)}`, {
                cause: err,
              }),
            );
            return;
          }
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          transport.protocol = protocol;
          resolve(transport);
        });
      });
    });
  });
}

/** A connected PC/SC card. Handles T=0 `61xx` (GET RESPONSE) and `6Cxx` (wrong Le) transparently. */
class PcscTransport implements CardTransport {
  readonly description: string;
  protocol = 0;
  connecting = false;
  private lost: string | undefined;
  private closed = false;

  constructor(
    private readonly context: PcscContext,
    private readonly reader: PcscReader,
  ) {
    this.description = `PC/SC reader "${reader.name}"`;
  }

  markLost(reason: string): void {
    if (!this.closed) this.lost ??= reason;
  }

  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    let response = await this.raw(apdu);
    let sw1 = response[response.length - 2];
    if (sw1 === 0x6c && apdu.length >= 5) {
      const again = Uint8Array.from(apdu);
      again[again.length - 1] = response[response.length - 1]!;
      response = await this.raw(again);
      sw1 = response[response.length - 2];
    }
    const parts: Uint8Array[] = [];
    while (sw1 === 0x61) {
      parts.push(response.subarray(0, response.length - 2));
      response = await this.raw(Uint8Array.from([0x00, 0xc0, 0x00, 0x00, response[response.length - 1]!]));
      sw1 = response[response.length - 2];
    }
    if (parts.length === 0) return response;
    return Uint8Array.from(Buffer.concat([...parts, response]));
  }

  private raw(apdu: Uint8Array): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new CardError("CARD_BAD_ARGUMENT", "the PC/SC transport is closed"));
    if (this.lost !== undefined) return Promise.reject(new CardError("CARD_REMOVED", this.lost));
    return new Promise((resolve, reject) => {
      this.reader.transmit(Buffer.from(apdu), 65538, this.protocol, (err, data) => {
        if (err) {
          reject(new CardError("CARD_REMOVED", `lost contact with the card: ${errorText(err)}`, { cause: err }));
          return;
        }
        if (data.length < 2) {
          reject(new CardError("CARD_BAD_RESPONSE", "the reader returned a response without a status word"));
          return;
        }
        resolve(new Uint8Array(data));
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.reader.disconnect(this.reader.SCARD_LEAVE_CARD, () => resolve()));
    this.context.close();
  }
}
