// Compiled (never run) by `tsc --strict` in `make test-node`: the card and
// ratio methods' types accept what they should and, at each @ts-expect-error,
// refuse the rest.
import { Client } from 'paynet';

async function ratios(client: Client): Promise<void> {
  const table = await client.ratios.instalmentTable({ amount: '10.00', bin: '435508' });
  const banks: number = table.banks.length;
  // @ts-expect-error: the table is of an amount
  await client.ratios.instalmentTable({ bin: '435508' });
  // @ts-expect-error: nor without params
  await client.ratios.instalmentTable();
  await client.ratios.get();
  await client.ratios.getPublic({ amount: '10.00' });
  void banks;
}

void ratios;
