// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IERC3643IdentityRegistry — the Identity Registry surface an ERC-3643 (T-REX) token and its agents call
/// @notice Selector-compatible with T-REX v4 `IIdentityRegistry`. Contract-typed parameters and results of the
/// original (`IIdentity`, `IIdentityRegistryStorage`, `ITrustedIssuersRegistry`, `IClaimTopicsRegistry`) are plain
/// addresses here, which is the same ABI. Written for this project from the published interface, not copied.
interface IERC3643IdentityRegistry {
    /// @notice Emitted when an identity is registered for a wallet.
    event IdentityRegistered(address indexed investorAddress, address indexed identity);
    /// @notice Emitted when a wallet's identity is removed.
    event IdentityRemoved(address indexed investorAddress, address indexed identity);
    /// @notice Emitted when a wallet's identity contract is replaced.
    event IdentityUpdated(address indexed oldIdentity, address indexed newIdentity);
    /// @notice Emitted when a wallet's country is changed.
    event CountryUpdated(address indexed investorAddress, uint16 indexed country);

    /// @notice Register `identity` for `userAddress` with `country` (agent only in T-REX).
    function registerIdentity(address userAddress, address identity, uint16 country) external;

    /// @notice Remove `userAddress` from the registry (agent only in T-REX).
    function deleteIdentity(address userAddress) external;

    /// @notice Replace the identity registry storage (owner only in T-REX).
    function setIdentityRegistryStorage(address identityRegistryStorage) external;

    /// @notice Replace the claim topics registry (owner only in T-REX).
    function setClaimTopicsRegistry(address claimTopicsRegistry) external;

    /// @notice Replace the trusted issuers registry (owner only in T-REX).
    function setTrustedIssuersRegistry(address trustedIssuersRegistry) external;

    /// @notice Change the country of `userAddress` (agent only in T-REX).
    function updateCountry(address userAddress, uint16 country) external;

    /// @notice Replace the identity contract of `userAddress` (agent only in T-REX).
    function updateIdentity(address userAddress, address identity) external;

    /// @notice Register several identities at once (agent only in T-REX).
    function batchRegisterIdentity(
        address[] calldata userAddresses,
        address[] calldata identities,
        uint16[] calldata countries
    ) external;

    /// @notice Whether `userAddress` has an identity registered.
    function contains(address userAddress) external view returns (bool);

    /// @notice Whether `userAddress` is registered and currently holds every required claim (the token's gate).
    function isVerified(address userAddress) external view returns (bool);

    /// @notice The identity of `userAddress` (zero when not registered).
    function identity(address userAddress) external view returns (address);

    /// @notice The ISO 3166-1 numeric country code of `userAddress` (zero when not registered).
    function investorCountry(address userAddress) external view returns (uint16);

    /// @notice The identity registry storage the registry reads from.
    function identityStorage() external view returns (address);

    /// @notice The trusted issuers registry the registry checks claims against.
    function issuersRegistry() external view returns (address);

    /// @notice The claim topics registry listing the required claim topics.
    function topicsRegistry() external view returns (address);
}
