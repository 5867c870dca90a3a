// Compiled (never run) by `tsc --strict` as an ES module: the default import
// types as the whole module, as it is at runtime (tests/node/esm.test.mjs).
import paynet, { Client } from 'paynet';

const client: Client = new paynet.Client({ secretKey: 'sck_test_default_import_0000' });
const same: typeof Client = paynet.Client;
void [client, same];
