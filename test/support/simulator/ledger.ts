/**
 * What the gateways produced, deleted and were told, per file: the ground truth the storage contents
 * are checked against. A file is identified by (device, SHA-256 of its bytes); a "copy" is one
 * gateway's file on disk (two gateways sharing a device's buffer each hold a copy of every file).
 */
export interface FileEntry {
  deviceId: string;
  sha256: string;
  sizeBytes: number;
  sequence: number;
  /** Copies written to gateway buffers, deleted after a 200, moved to quarantine after a 4xx. */
  copies: number;
  deleted: number;
  quarantined: number;
  /** 200 answers received, by status, and the blob names they named. */
  storedAnswers: number;
  duplicateAnswers: number;
  ackedBlobs: Set<string>;
  /** 200 answers whose sha256 was not this file's: a wrong acknowledgement. */
  wrongAcks: number;
}

export class Ledger {
  private readonly files = new Map<string, FileEntry>();

  private static id(deviceId: string, sha256: string): string {
    return `${deviceId}\n${sha256}`;
  }

  produce(deviceId: string, sha256: string, sizeBytes: number, sequence: number, copies: number): FileEntry {
    const id = Ledger.id(deviceId, sha256);
    if (this.files.has(id)) throw new Error(`simulator produced the same bytes twice for ${deviceId}`);
    const entry: FileEntry = {
      deviceId,
      sha256,
      sizeBytes,
      sequence,
      copies,
      deleted: 0,
      quarantined: 0,
      storedAnswers: 0,
      duplicateAnswers: 0,
      ackedBlobs: new Set(),
      wrongAcks: 0,
    };
    this.files.set(id, entry);
    return entry;
  }

  get(deviceId: string, sha256: string): FileEntry | undefined {
    return this.files.get(Ledger.id(deviceId, sha256));
  }

  all(): FileEntry[] {
    return [...this.files.values()];
  }
}
