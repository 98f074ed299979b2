import { Contract, getAddress, hexlify, recoverAddress, Signature, type Provider } from "ethers";

/** How a subject's consent was verified. */
export type SubjectSignatureKind = "ecdsa" | "erc1271";

/** ERC-1271's magic value: `bytes4(keccak256("isValidSignature(bytes32,bytes)"))`. */
export const ERC1271_MAGIC = "0x1626ba7e";

const ERC1271_ABI = ["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"];

/**
 * Checks the subject's signature over a binding digest the way the registry does (DESIGN.md, "The card binding"):
 * an ECDSA signature recovering to `subject` (an EOA's eth_signTypedData_v4), else the subject's ERC-1271
 * `isValidSignature` answering the magic value (a smart account). A result, not an exception: undefined when neither
 * accepts it (or the node cannot be asked).
 */
export async function checkSubjectSignature(
  provider: Provider,
  subject: string,
  digest: string,
  signature: Uint8Array,
): Promise<SubjectSignatureKind | undefined> {
  const who = getAddress(subject);
  if (signature.length === 65) {
    try {
      if (recoverAddress(digest, Signature.from(hexlify(signature))) === who) return "ecdsa";
    } catch {
      // not a well-formed ECDSA signature: try ERC-1271
    }
  }
  try {
    if ((await provider.getCode(who)) === "0x") return undefined;
    const answer = (await new Contract(who, ERC1271_ABI, provider)
      .getFunction("isValidSignature")
      .staticCall(digest, hexlify(signature))) as string;
    return answer.toLowerCase() === ERC1271_MAGIC ? "erc1271" : undefined;
  } catch {
    return undefined;
  }
}
