// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// Each entry point is one assembly block by design (see the library notes), hence long function bodies.
/* solhint-disable function-max-lines */

/// @title RsaPkcs1 — strict RSASSA-PKCS1-v1_5 / SHA-256 signature verification (RFC 8017, section 8.2.2)
/// @notice Verifies that `signature` is the RSA PKCS#1 v1.5 signature, by the public key (`exponent`, `modulus`),
/// of the SHA-256 hash `digest`, i.e. that `signature^exponent mod modulus` is exactly
/// `00 01 FF..FF 00 || 3031300d060960864801650304020105000420 || digest`.
///
/// Every entry point fails closed: it returns false (it never reverts, and never returns true) when
/// - the modulus is shorter than 2048 bits (fewer than 256 bytes, a zero top byte, or 256 bytes whose top bit is
///   clear) or longer than 4096 bits (more than 512 bytes), or is even;
/// - the exponent is empty, longer than the modulus, not below the modulus, even, zero or one;
/// - the signature length differs from the modulus length (a leading 00 added or removed is rejected), or the
///   signature as an integer is not below the modulus (so `s + n` is rejected);
/// - the MODEXP precompile call fails or returns anything but `modulus.length` bytes;
/// - the encoded message is anything but the exact encoding above: block type 01, a padding string made only of FF
///   bytes (always at least 202 of them here), the 00 separator, the SHA-256 DigestInfo WITH its NULL parameter
///   (a DigestInfo without the NULL, with another hash OID, or with trailing data is rejected), then `digest`.
///
/// Cost: the MODEXP call plus under 2,000 gas. Measured for RSA-2048 under Osaka (MODEXP staticcall alone 32,915):
/// `pkcs1Sha256e65537` 33,851 and `pkcs1Sha256` 34,213 with its arguments already in memory (OpenZeppelin's
/// `RSA.pkcs1Sha256`: about 55,900); RSA-3072 75,052 (MODEXP 73,875), RSA-4096 132,701 (MODEXP 131,219); see
/// `scripts/bench/rsa-gas.ts`. The library has no state; it uses memory past the free memory pointer as scratch
/// space (the MODEXP output overwrites its input) and does not move the pointer. Each entry point is one assembly
/// block, so no Solidity code (nor coverage instrumentation, which writes at the free memory pointer between
/// statements) runs while the scratch space is in use.
/// @dev Two entry points:
/// - `pkcs1Sha256(digest, signature, exponent, modulus)` with memory arguments and any exponent (OpenZeppelin's
///   `RSA.pkcs1Sha256` signature; passing calldata arguments to it makes the compiler copy them to memory first);
/// - `pkcs1Sha256e65537(digest, signature, modulus)` with calldata arguments and the exponent fixed at 65537, which
///   copies the calldata straight into the MODEXP input: the cheaper choice for a contract that takes the card
///   signature and modulus as calldata.
/// `digest` is the SHA-256 hash that the DigestInfo carries: for a signer that was sent
/// `DigestInfo(SHA-256, sha256(m))`, pass `sha256(m)`.
library RsaPkcs1 {
    /// @dev The MODEXP precompile (EIP-198).
    uint256 private constant _MODEXP = 0x05;
    /// @dev Shortest accepted modulus and signature, in bytes (2048 bits).
    uint256 private constant _MIN_BYTES = 256;
    /// @dev `_MIN_BYTES - 1`, for `gt` in assembly.
    uint256 private constant _MIN_BYTES_MINUS_1 = 255;
    /// @dev One more than the longest accepted modulus and signature, in bytes (4096 bits = 512 bytes), for `lt`.
    uint256 private constant _MAX_BYTES_PLUS_1 = 513;
    /// @dev A 256-byte modulus must have a top byte above this (top bit set), so at least 2048 bits.
    uint256 private constant _TOP_BYTE_FLOOR_AT_MIN = 0x7f;
    /// @dev First 32 bytes of the encoded message: `00 01` and 30 padding bytes `FF`.
    uint256 private constant _EM_HEAD = 0x0001ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff;
    /// @dev The 32 bytes before the digest: 12 padding bytes `FF`, the `00` separator and the 19-byte SHA-256
    /// DigestInfo prefix `SEQUENCE { SEQUENCE { OID 2.16.840.1.101.3.4.2.1, NULL }, OCTET STRING (32 bytes) }`.
    uint256 private constant _EM_TAIL = 0xffffffffffffffffffffffff003031300d060960864801650304020105000420;

    /// @notice Whether `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `digest` by the public key
    /// (`exponent`, `modulus`), both big-endian byte strings. Returns false for every malformed input (see the
    /// library documentation); never reverts.
    /// @param digest The SHA-256 hash carried in the DigestInfo.
    /// @param signature The signature, exactly as long as `modulus`.
    /// @param exponent The public exponent (odd, at least 3, below the modulus, at most `modulus.length` bytes;
    /// leading zero bytes are allowed).
    /// @param modulus The public modulus, 2048 to 4096 bits, odd, without leading zero bytes.
    /// @return valid True only for a valid signature.
    function pkcs1Sha256(
        bytes32 digest,
        bytes memory signature,
        bytes memory exponent,
        bytes memory modulus
    ) internal view returns (bool valid) {
        // One assembly block: the MODEXP input lives past the free memory pointer, which nothing else may use
        // between building it and reading the result (not even coverage instrumentation between statements).
        assembly ("memory-safe") {
            // Whether the big-endian `len`-byte (len >= 32) integer at `a` is below the one at `b`, compared from
            // the top in 32-byte words (the last word is read at `len - 32` and overlaps bytes already found equal).
            function lessThan(a, b, len) -> less {
                let lastOffset := sub(len, 0x20)
                for {
                    let i := 0
                } 1 {
                    i := add(i, 0x20)
                } {
                    if gt(i, lastOffset) {
                        i := lastOffset
                    }
                    let x := mload(add(a, i))
                    let y := mload(add(b, i))
                    if lt(x, y) {
                        less := 1
                        break
                    }
                    if gt(x, y) {
                        break
                    }
                    if eq(i, lastOffset) {
                        break
                    }
                }
            }
            // Whether the `eLen`-byte (eLen > 0) big-endian exponent at `e` is odd and not 1 (so at least 3).
            function exponentOk(e, eLen) -> ok {
                let lastIndex := sub(eLen, 1)
                let lastByte := byte(0, mload(add(e, lastIndex)))
                // not 1: a last byte above 1, or a non-zero byte before the last one
                let high := gt(lastByte, 1)
                for {
                    let i := 0
                } lt(i, lastIndex) {
                    i := add(i, 0x20)
                } {
                    let w := mload(add(e, i))
                    let over := add(i, 0x20)
                    if gt(over, lastIndex) {
                        w := shr(shl(3, sub(over, lastIndex)), w) // keep the bytes before the last one
                    }
                    high := or(high, w)
                }
                ok := and(and(lastByte, 1), iszero(iszero(high)))
            }
            // Whether the `len`-byte (len >= 256) encoded message at `em` is `00 01 FF..FF 00 || DigestInfo ||
            // digest`: bytes [32, len - 64) are all FF (AND of the words at 32..160, those from 192 up, and the
            // overlapping one at len - 96), then the fixed head and tail words and the digest.
            function encodedMessageOk(em, len, d) -> ok {
                let lastFull := add(em, sub(len, 0x60))
                let acc := and(mload(lastFull), and(mload(add(em, 0x20)), mload(add(em, 0x40))))
                acc := and(acc, and(mload(add(em, 0x60)), and(mload(add(em, 0x80)), mload(add(em, 0xa0)))))
                for {
                    let p := add(em, 0xc0)
                } lt(p, lastFull) {
                    p := add(p, 0x20)
                } {
                    acc := and(acc, mload(p))
                }
                ok := and(
                    and(eq(mload(em), _EM_HEAD), eq(acc, not(0))),
                    and(eq(mload(add(lastFull, 0x20)), _EM_TAIL), eq(mload(add(lastFull, 0x40)), d))
                )
            }

            let len := mload(modulus)
            let eLen := mload(exponent)
            let n := add(modulus, 0x20)
            let shapeOk := 0
            // 256 <= len <= 512, signature as long as the modulus, 0 < eLen <= len
            if and(
                and(eq(mload(signature), len), and(gt(len, _MIN_BYTES_MINUS_1), lt(len, _MAX_BYTES_PLUS_1))),
                and(gt(eLen, 0), iszero(gt(eLen, len)))
            ) {
                // modulus: odd, top byte non-zero, top bit set when 256 bytes long (at least 2048 bits)
                shapeOk := and(
                    and(mload(add(n, sub(len, 0x20))), 1),
                    gt(byte(0, mload(n)), mul(eq(len, _MIN_BYTES), _TOP_BYTE_FLOOR_AT_MIN))
                )
            }
            if shapeOk {
                // MODEXP input: len(base) || len(exponent) || len(modulus) || base || exponent || modulus
                // (bounded by the length checks above: no overflow)
                let input := mload(0x40)
                mstore(input, len)
                mstore(add(input, 0x20), eLen)
                mstore(add(input, 0x40), len)
                let sCopy := add(input, 0x60)
                let eCopy := add(sCopy, len)
                let nCopy := add(eCopy, eLen)
                mcopy(sCopy, add(signature, 0x20), len)
                mcopy(eCopy, add(exponent, 0x20), eLen)
                mcopy(nCopy, n, len)
                // exponent odd and at least 3; s < n; e < n when the exponent is as long as the modulus
                if and(exponentOk(eCopy, eLen), lessThan(sCopy, nCopy, len)) {
                    let eBelowN := 1
                    if eq(eLen, len) {
                        eBelowN := lessThan(eCopy, nCopy, len)
                    }
                    if eBelowN {
                        // the output overwrites the input; (Yul evaluates arguments right to left:
                        // returndatasize() must be read after the call)
                        let success := staticcall(gas(), _MODEXP, input, sub(add(nCopy, len), input), input, len)
                        if and(success, eq(returndatasize(), len)) {
                            valid := encodedMessageOk(input, len, digest)
                        }
                    }
                }
            }
        }
    }

    /// @notice Same as `pkcs1Sha256` with the exponent fixed at 65537 and calldata arguments (no copy to memory
    /// before the MODEXP input is built). Returns false for every malformed input; never reverts.
    /// @param digest The SHA-256 hash carried in the DigestInfo.
    /// @param signature The signature, exactly as long as `modulus`.
    /// @param modulus The public modulus, 2048 to 4096 bits, odd, without leading zero bytes.
    /// @return valid True only for a valid signature.
    function pkcs1Sha256e65537(
        bytes32 digest,
        bytes calldata signature,
        bytes calldata modulus
    ) internal view returns (bool valid) {
        // One assembly block, as in `pkcs1Sha256` (the helper functions are the same).
        assembly ("memory-safe") {
            function lessThan(a, b, len) -> less {
                let lastOffset := sub(len, 0x20)
                for {
                    let i := 0
                } 1 {
                    i := add(i, 0x20)
                } {
                    if gt(i, lastOffset) {
                        i := lastOffset
                    }
                    let x := mload(add(a, i))
                    let y := mload(add(b, i))
                    if lt(x, y) {
                        less := 1
                        break
                    }
                    if gt(x, y) {
                        break
                    }
                    if eq(i, lastOffset) {
                        break
                    }
                }
            }
            function encodedMessageOk(em, len, d) -> ok {
                let lastFull := add(em, sub(len, 0x60))
                let acc := and(mload(lastFull), and(mload(add(em, 0x20)), mload(add(em, 0x40))))
                acc := and(acc, and(mload(add(em, 0x60)), and(mload(add(em, 0x80)), mload(add(em, 0xa0)))))
                for {
                    let p := add(em, 0xc0)
                } lt(p, lastFull) {
                    p := add(p, 0x20)
                } {
                    acc := and(acc, mload(p))
                }
                ok := and(
                    and(eq(mload(em), _EM_HEAD), eq(acc, not(0))),
                    and(eq(mload(add(lastFull, 0x20)), _EM_TAIL), eq(mload(add(lastFull, 0x40)), d))
                )
            }

            let len := modulus.length
            let shapeOk := 0
            // 256 <= len <= 512, signature as long as the modulus
            if and(eq(signature.length, len), and(gt(len, _MIN_BYTES_MINUS_1), lt(len, _MAX_BYTES_PLUS_1))) {
                // modulus: odd, top byte non-zero, top bit set when 256 bytes long (at least 2048 bits)
                shapeOk := and(
                    and(calldataload(add(modulus.offset, sub(len, 0x20))), 1),
                    gt(byte(0, calldataload(modulus.offset)), mul(eq(len, _MIN_BYTES), _TOP_BYTE_FLOOR_AT_MIN))
                )
            }
            if shapeOk {
                // MODEXP input: len(base) || len(exponent) = 3 || len(modulus) || base || 01 00 01 || modulus
                let input := mload(0x40)
                mstore(input, len)
                mstore(add(input, 0x20), 3)
                mstore(add(input, 0x40), len)
                let sCopy := add(input, 0x60)
                let eCopy := add(sCopy, len)
                let nCopy := add(eCopy, 3)
                calldatacopy(sCopy, signature.offset, len)
                mstore(eCopy, shl(232, 0x010001))
                calldatacopy(nCopy, modulus.offset, len)
                // s < n
                if lessThan(sCopy, nCopy, len) {
                    let success := staticcall(gas(), _MODEXP, input, sub(add(nCopy, len), input), input, len)
                    if and(success, eq(returndatasize(), len)) {
                        valid := encodedMessageOk(input, len, digest)
                    }
                }
            }
        }
    }
}
