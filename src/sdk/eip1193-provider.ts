/**
 * The part of an EIP-1193 provider the SDK uses: `window.ethereum` of a browser wallet, a WalletConnect provider, or
 * any object with `request`. A failed request throws an error with a numeric `code` (EIP-1193: 4001 = the user
 * rejected the request).
 */
export interface Eip1193Provider {
  request(args: { method: string; params?: readonly unknown[] | object }): Promise<unknown>;
}
