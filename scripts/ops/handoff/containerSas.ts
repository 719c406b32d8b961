import {
  AnonymousCredential,
  type BlobServiceClient,
  ContainerSASPermissions,
  SASProtocol,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';

/** Read + list: the vendor can list and download, never write, delete or change anything. */
export const VENDOR_PERMISSIONS = 'rl';
/** The service's limit for a user delegation key, and so for any SAS signed with one. */
export const MAX_USER_DELEGATION_DAYS = 7;
const DAY_MS = 86_400_000;
/** A SAS starts a little in the past so a client whose clock is behind can use it at once. */
const START_SKEW_MS = 5 * 60_000;
/** Azure checks the key's expiry against its own clock; stay a minute inside the 7 days. */
const EXPIRY_MARGIN_MS = 60_000;

export type SasKind = 'user-delegation' | 'service';

export interface ContainerSas {
  url: string;
  expiresOn: Date;
  permissions: string;
  /** `user-delegation`: signed with a key obtained with an Entra ID token; `service`: with the account key. */
  kind: SasKind;
}

export class SasRefusedError extends Error {}

/** Which SAS the client's credential can sign: a token gives user delegation, an account key a service SAS. */
export function sasKindFor(service: BlobServiceClient): SasKind {
  if (service.credential instanceof StorageSharedKeyCredential) return 'service';
  if (service.credential instanceof AnonymousCredential) {
    throw new SasRefusedError('These credentials cannot sign a SAS: use --account (Entra ID sign-in).');
  }
  return 'user-delegation';
}

/**
 * A read + list SAS URL for one container. With Entra ID (the only way in to the deployed account,
 * which refuses shared keys) a user delegation SAS: no account key anywhere, valid at most 7 days,
 * never more than the signer's own role allows, revoked with the signer's role or its delegation
 * keys. With an account key (Azurite) a service SAS with the same permissions and lifetime.
 */
export async function createContainerSas(
  service: BlobServiceClient,
  containerName: string,
  days: number,
  options: {
    now?: Date;
    /** The SAS format version (`sv`); default: the SDK's newest. Older emulators know older formats. */
    sasVersion?: string;
  } = {},
): Promise<ContainerSas> {
  const now = options.now ?? new Date();
  const kind = sasKindFor(service);
  if (!(days > 0) || days > MAX_USER_DELEGATION_DAYS) {
    throw new SasRefusedError(
      `--days must be more than 0 and at most ${MAX_USER_DELEGATION_DAYS}: a user delegation SAS ` +
        `cannot outlive its delegation key, which Azure Storage issues for at most 7 days. ` +
        `Create a new SAS before this one expires.`,
    );
  }
  const container = service.getContainerClient(containerName);
  // A SAS carries whole seconds: round so the expiry printed is the one in the URL.
  const second = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);
  const startsOn = second(now.getTime() - START_SKEW_MS);
  const expiresOn = second(
    Math.min(
      now.getTime() + days * DAY_MS,
      now.getTime() + MAX_USER_DELEGATION_DAYS * DAY_MS - EXPIRY_MARGIN_MS,
    ),
  );
  const sas = {
    permissions: ContainerSASPermissions.parse(VENDOR_PERMISSIONS),
    startsOn,
    expiresOn,
    // Azure: HTTPS only. Azurite speaks plain HTTP on loopback.
    protocol: container.url.startsWith('https:') ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
    version: options.sasVersion,
  };
  const url =
    kind === 'service'
      ? await container.generateSasUrl(sas)
      : await container.generateUserDelegationSasUrl(
          sas,
          await service.getUserDelegationKey(startsOn, expiresOn),
        );
  return { url, expiresOn, permissions: VENDOR_PERMISSIONS, kind };
}
