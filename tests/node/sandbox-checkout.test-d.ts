// Compiled (never run) by `tsc --strict` in `make test-node`: the checkout helpers'
// types accept what they should and, at each @ts-expect-error, refuse the rest.
import { startSandbox, TDS_OTP, type Confirmation, type PaidLink, type ReturnPost } from 'paynet/testing';

async function checkout(): Promise<void> {
  const sandbox = await startSandbox();
  const key: string = sandbox.publishableKey;
  const post: ReturnPost = sandbox.complete3d('js_x', { otp: TDS_OTP });
  sandbox.complete3d({ sessionId: 'js_x' }, { cancel: true });
  sandbox.complete3d('http://127.0.0.1:1/__sandbox/bank/3d/js_x');
  const mdStatus: string | undefined = post.fields['md_status'];
  const { sessionId, tokenId } = sandbox.paynetjsSession({ amount: 150000, tdsRequired: true, pan: '4355084355084358' });
  const paid: PaidLink = await sandbox.payLink('http://127.0.0.1:1/__sandbox/paylink/t', { card: { pan: '4355084355084358' } });
  const redirect: string | null = paid.redirect;
  const attempts: Confirmation[] = sandbox.confirmations();
  const status: number | null = attempts[0]!.status;
  const otp: string | null = sandbox.lastReceiptOtp('05321234567');
  // @ts-expect-error: amount is required
  sandbox.paynetjsSession({ tdsRequired: true });
  // @ts-expect-error: cancel is only ever true
  sandbox.complete3d('js_x', { cancel: false });
  void [key, mdStatus, sessionId, tokenId, redirect, status, otp];
}
void checkout;
