/** The datastore: StackStorm-compatible secrets, key file handling and the KV service. */

export {
  type AesKeySize,
  DatastoreCryptoError,
  type DatastoreKey,
  generateKey,
  keyFromJson,
  keyToJson,
  symmetricDecrypt,
  symmetricEncrypt,
} from "./crypto.ts";
export { defaultKeyPath, loadOrCreateDatastoreKey, readKeyFile } from "./key-file.ts";
export { type KeyValuePair, presentPair } from "./model.ts";
export { ALL_SCOPE, FULL_SYSTEM_SCOPE, FULL_USER_SCOPE } from "./scope.ts";
export {
  DatastoreService,
  type DatastoreServiceOptions,
  type InstanceOps,
  KV_TRIGGERS,
} from "./service.ts";
