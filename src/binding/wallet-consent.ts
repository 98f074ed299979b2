import { getAddress, getBytes, recoverAddress } from "ethers";

import { BindingError } from "./binding-error.js";
import { bindingTypedData } from "./kyc-binding.js";
import type { SignedBinding } from "./proof-request.js";

/** What the subject's wallet must offer: an EIP-712 signer (an ethers `Signer`, or a browser wallet adapter). */
export interface WalletSigner {
  getAddress(): Promise<string>;
  signTypedData(
    domain: ReturnType<typeof bindingTypedData>["domain"],
    types: ReturnType<typeof bindingTypedData>["types"],
    value: ReturnType<typeof bindingTypedData>["message"],
  ): Promise<string>;
}

/**
 * Has the subject's wallet sign the binding (eth_signTypedData_v4: the wallet shows the holder the subject, the
 * operator, the claims allowed, the nonce and the deadline it consents to) and checks the signature recovers to the
 * subject. Returns the 65-byte signature.
 * @throws BindingError `BINDING_WRONG_WALLET` when the wallet is not the subject's, `BINDING_WALLET_REFUSED` when the
 * wallet does not sign (or signs something else).
 */
export async function signBindingWithWallet(wallet: WalletSigner, binding: SignedBinding): Promise<Uint8Array> {
  const address = getAddress(await wallet.getAddress());
  if (address !== getAddress(binding.subject)) {
    throw new BindingError(
      "BINDING_WRONG_WALLET",
      `the wallet ${address} is not the subject ${binding.subject}: the subject itself must sign the binding`,
    );
  }
  const { domain, types, message } = bindingTypedData(binding);
  let signature: string;
  try {
    signature = await wallet.signTypedData(domain, types, message);
  } catch (cause) {
    throw new BindingError("BINDING_WALLET_REFUSED", "the wallet did not sign the binding", { cause });
  }
  let recovered: string;
  try {
    recovered = recoverAddress(binding.digest, signature);
  } catch (cause) {
    throw new BindingError("BINDING_WALLET_REFUSED", "the wallet returned a malformed signature", { cause });
  }
  if (recovered !== address) {
    throw new BindingError("BINDING_WALLET_REFUSED", "the wallet's signature is not over this binding");
  }
  return getBytes(signature);
}
