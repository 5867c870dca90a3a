// An Express checkout route over paynet.
//
//   node examples/express-app.mjs            # against an in-process sandbox
//   PAYNET_SECRET_KEY=sck_... node examples/express-app.mjs   # Paynet's test system
//
//   curl -X POST localhost:3000/checkout -H 'content-type: application/json' -d '{"orderId":"A-1",
//     "amount":"12.50","card":{"number":"4355084355084358","expMonth":12,"expYear":2045,
//     "cvc":"000","holderName":"TEST TEST"}}'
import express from 'express';
import { pathToFileURL } from 'node:url';
import {
  CardDeclinedError,
  Client,
  InvalidRequestError,
  PaynetError,
  TimeoutError,
  UnknownOutcomeError,
} from 'paynet';

/** The app, given a client: tests pass one pointed at the sandbox. */
export function createApp(paynet) {
  const app = express();
  app.use(express.json());

  app.post('/checkout', async (req, res) => {
    const { orderId, amount, card } = req.body;
    // referenceNo = your order id: Paynet deduplicates on it, so a retried
    // request (double click, proxy retry) cannot charge twice.
    const tx = await paynet.payments.create({ referenceNo: orderId, amount, card, domain: req.hostname });
    res.json({ paid: true, xactId: tx.xactId, amount: tx.amount, replayed: tx.replayed });
  });

  // Express 5 forwards rejected promises here.
  app.use((error, req, res, next) => {
    if (!(error instanceof PaynetError)) return next(error);
    if (error instanceof CardDeclinedError) {
      return res.status(402).json({ paid: false, error: error.code, message: error.bankMessage });
    }
    if (error instanceof InvalidRequestError) {
      return res.status(400).json({ paid: false, error: error.code, field: error.field, message: error.message });
    }
    if (error instanceof TimeoutError || error instanceof UnknownOutcomeError) {
      // Not known to have failed: look it up with transactions.check({ referenceNo }) later.
      return res.status(503).json({ paid: null, error: error.code, referenceNo: error.referenceNo });
    }
    console.error('paynet error', error);
    return res.status(502).json({ paid: false, error: error.code });
  });
  return app;
}

async function main() {
  let client = process.env.PAYNET_SECRET_KEY ? new Client({ secretKey: process.env.PAYNET_SECRET_KEY }) : null;
  if (!client) {
    const { startSandbox } = await import('paynet/testing');
    const sandbox = await startSandbox();
    console.log(`no PAYNET_SECRET_KEY: using a local sandbox at ${sandbox.url}`);
    client = sandbox.client();
  }
  const port = Number(process.env.PORT ?? 3000);
  createApp(client).listen(port, () => console.log(`listening on http://localhost:${port}`));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
