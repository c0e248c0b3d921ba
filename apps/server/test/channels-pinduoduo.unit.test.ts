import { pddSign, startPinduoduoSimulator } from '@orderhub/simulators';
import { describe, expect, it } from 'vitest';
import {
  mapPddOrder,
  pinduoduoConnector,
  signPdd,
} from '../src/modules/channels/connectors/pinduoduo/index.ts';
import { sortedConcat } from '../src/modules/channels/connectors/taobao/cn-common.ts';
import {
  type CnSim,
  ctxFor,
  describeCnConnector,
  pullWindow,
  sharedVectors,
} from './channels-taobao-jd-pinduoduo.support.ts';

// Protocol digest A3: PDD documentation's own example and the increment request (vectors/vectors.json "pdd*").
const OFFICIAL = {
  type: 'pdd.order.number.list.get',
  data_type: 'XML',
  client_id: '1',
  access_token: 'asd78172s8ds9a921j9qqwda12312w1w21211',
  timestamp: '1480411125',
  order_status: '1',
  page: '1',
  page_size: '10',
};
const INCREMENT = {
  type: 'pdd.order.number.list.increment.get',
  client_id: 'fake-client-id',
  access_token: 'fake-token',
  timestamp: '1718000000',
  data_type: 'JSON',
  version: 'V1',
  is_lucky_flag: '0',
  order_status: '5',
  refund_status: '5',
  start_updated_at: '1717998200',
  end_updated_at: '1718000000',
  page: '1',
  page_size: '100',
  use_has_next: 'true',
};

describe('Pinduoduo signing: protocol vectors byte for byte', () => {
  it('MD5 over the sorted parameters wrapped in the client secret, upper case', () => {
    expect(sortedConcat(OFFICIAL)).toBe(
      'access_tokenasd78172s8ds9a921j9qqwda12312w1w21211client_id1data_typeXMLorder_status1page1page_size10timestamp1480411125typepdd.order.number.list.get',
    );
    expect(signPdd(OFFICIAL, 'testSecret')).toBe('E4DE3ED21002510DED352819E7AE6775');
    expect(signPdd(INCREMENT, 'fake-secret')).toBe('2C020038B66D8FCA590A17B56A7211F9');
    expect(pddSign(INCREMENT, 'fake-secret')).toBe('2C020038B66D8FCA590A17B56A7211F9');
    const v = sharedVectors();
    if (v) {
      expect(sortedConcat(OFFICIAL)).toBe(v.pdd!.str);
      expect(signPdd(OFFICIAL, 'testSecret')).toBe(v.pdd!.sign);
      expect(sortedConcat(INCREMENT)).toBe(v.pdd_increment!.str);
      expect(signPdd(INCREMENT, 'fake-secret')).toBe(v.pdd_increment!.sign);
    }
  });
});

describe('Pinduoduo settings for what the digest leaves open', () => {
  const T0 = new Date('2026-06-10T02:00:00Z');
  it('reads amounts sent as JSON numbers exactly, a JSON request body, and the code/msg envelope', async () => {
    const sim = await startPinduoduoSimulator({ now: () => T0, amountsAsNumbers: true, errorFields: 'code' });
    try {
      const id = sim.addOrder({
        items: [{ code: 'CUP-02', qty: 3 }],
        couponFen: 300,
        shippingFen: 600,
        at: new Date(T0.getTime() - 5 * 60_000),
      });
      const ctx = ctxFor(sim as CnSim, () => T0, { bodyFormat: 'json' });
      const { orders } = await pullWindow(pinduoduoConnector, ctx, new Date(T0.getTime() - 10 * 60_000), T0);
      expect(
        orders.map((o) => [o.externalOrderId, o.order.total, o.order.discount, o.order.shippingFee]),
      ).toEqual([[id, 3 * 1990 + 600 - 300, 300, 600]]);
      sim.faults.expireToken();
      const e = await pinduoduoConnector.fetchOrder(ctx, id).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'AUTH_EXPIRED', authExpired: true });
    } finally {
      await sim.close();
    }
  });

  it('maps group-forming and risk-control orders as paid with a do-not-ship tag; refuses unknown states', async () => {
    const sim = await startPinduoduoSimulator({ now: () => T0 });
    try {
      const raw = sim.order(sim.addOrder());
      expect(mapPddOrder({ ...raw, group_status: 0 }).order.tags).toEqual(
        expect.arrayContaining(['group-forming', 'do-not-ship']),
      );
      expect(mapPddOrder({ ...raw, risk_control_status: 1 }).order.tags).toEqual(
        expect.arrayContaining(['risk-control', 'do-not-ship']),
      );
      expect(mapPddOrder({ ...raw, confirm_status: 2 }).order.status).toBe('cancelled');
      expect(() => mapPddOrder({ ...raw, order_status: 9 })).toThrow(/unknown order_status/);
      expect(() => mapPddOrder({ ...raw, pay_amount: '12.345' })).toThrow(/two decimals/);
    } finally {
      await sim.close();
    }
  });
});

describeCnConnector({
  name: 'Pinduoduo',
  connector: pinduoduoConnector,
  start: (o) =>
    startPinduoduoSimulator({
      now: o.now,
      seed: o.seed,
      ...(o.privacy !== undefined ? { privacy: o.privacy } : {}),
    }) as Promise<CnSim>,
  settings: {},
  async forgedCall(sim) {
    const p: Record<string, string> = {
      type: 'pdd.order.number.list.increment.get',
      client_id: sim.credentials.appKey!,
      access_token: sim.credentials.accessToken!,
      timestamp: String(Math.floor(Date.parse('2026-06-10T02:00:00Z') / 1000)),
      data_type: 'JSON',
      start_updated_at: '1781055000',
      end_updated_at: '1781056800',
    };
    p.sign = signPdd(p, 'wrong-secret');
    const res = await fetch(sim.url, { method: 'POST', body: new URLSearchParams(p) });
    return { status: res.status, body: await res.json() };
  },
  expectSignatureEnvelope(body) {
    expect(body).toMatchObject({ error_response: { error_code: 10016, error_msg: expect.any(String) } });
  },
  pushes: true,
  platformRefOf: (raw) => raw.receiver_phone as string,
  carrier: '85',
  stockSku: 'TEA-SET-01',
  lineRefunds: false,
});
