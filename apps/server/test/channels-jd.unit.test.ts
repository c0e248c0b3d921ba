import { josSign, startJdSimulator } from '@orderhub/simulators';
import { describe, expect, it } from 'vitest';
import {
  jdConnector,
  josResponseKey,
  josTimestamp,
  mapJdOrder,
  signJos,
} from '../src/modules/channels/connectors/jd/index.ts';
import { sortedConcat } from '../src/modules/channels/connectors/taobao/cn-common.ts';
import {
  type CnSim,
  ctxFor,
  describeCnConnector,
  pullWindow,
  sharedVectors,
} from './channels-taobao-jd-pinduoduo.support.ts';

// Protocol digest A2 worked example (JD's official example, vectors/vectors.json "jd").
const OFFICIAL = {
  '360buy_param_json':
    '{"end_date":null,"optional_fields":null,"order_state":"WAIT_SELLER_STOCK_OUT","page":"1","page_size":"200","start_date":null}',
  access_token: 'yourtoken',
  app_key: 'yourappkey',
  method: 'jingdong.pop.order.search',
  timestamp: '2021-05-07 09:20:39.683+0800',
  v: '2.0',
};

describe('JD JOS signing: protocol vectors byte for byte', () => {
  it('MD5 over the sorted parameters (360buy_param_json first) wrapped in the secret', () => {
    expect(sortedConcat(OFFICIAL)).toBe(
      '360buy_param_json{"end_date":null,"optional_fields":null,"order_state":"WAIT_SELLER_STOCK_OUT","page":"1","page_size":"200","start_date":null}access_tokenyourtokenapp_keyyourappkeymethodjingdong.pop.order.searchtimestamp2021-05-07 09:20:39.683+0800v2.0',
    );
    expect(signJos(OFFICIAL, 'yourappSecret')).toBe('D70825340F4084360B9362B60DFD7930');
    expect(josSign(OFFICIAL, 'yourappSecret')).toBe('D70825340F4084360B9362B60DFD7930');
    const v = sharedVectors();
    if (v) {
      expect(sortedConcat(OFFICIAL)).toBe(v.jd!.str);
      expect(signJos(OFFICIAL, 'yourappSecret')).toBe(v.jd!.sign);
    }
  });

  it('writes both timestamp forms and JD’s response spelling', () => {
    const d = new Date('2021-05-07T01:20:39.683Z');
    expect(josTimestamp(d, 'millis-offset')).toBe('2021-05-07 09:20:39.683+0800');
    expect(josTimestamp(d, 'plain')).toBe('2021-05-07 09:20:39');
    expect(josResponseKey('jingdong.pop.order.search')).toBe('jingdong_pop_order_search_responce');
  });
});

describe('JD settings for what the digest leaves open', () => {
  it('signs format/sign_method when told to send them, and the millisecond timestamp form', async () => {
    const T0 = new Date('2026-06-10T02:00:00Z');
    const sim = await startJdSimulator({ now: () => T0 });
    try {
      const id = sim.addOrder({ at: new Date(T0.getTime() - 5 * 60_000) });
      for (const settings of [{ signFormatAndMethod: true }, { timestampFormat: 'millis-offset' }]) {
        const { orders } = await pullWindow(
          jdConnector,
          ctxFor(sim as CnSim, () => T0, settings),
          new Date(T0.getTime() - 10 * 60_000),
          T0,
        );
        expect(orders.map((o) => o.externalOrderId)).toEqual([id]);
      }
    } finally {
      await sim.close();
    }
  });

  it('treats the sentinel "0001-01-01 00:00:00" as not yet, and an apiResult failure as an error', async () => {
    const T0 = new Date('2026-06-10T02:00:00Z');
    const sim = await startJdSimulator({ now: () => T0 });
    try {
      const raw = sim.order(sim.addOrder());
      const o = mapJdOrder({ ...raw, paymentConfirmTime: '0001-01-01 00:00:00' });
      expect(o.order.paidAt).toBeUndefined();
      expect(() => mapJdOrder({ ...raw, orderState: 'NEW_STATE' })).toThrow(/unknown orderState/);
      expect(() => mapJdOrder({ ...raw, orderPayment: 99.5 })).toThrow(/yuan amount/);
    } finally {
      await sim.close();
    }
  });
});

describeCnConnector({
  name: 'JD',
  connector: jdConnector,
  start: (o) =>
    startJdSimulator({
      now: o.now,
      seed: o.seed,
      ...(o.privacy !== undefined ? { privacy: o.privacy } : {}),
    }) as Promise<CnSim>,
  settings: {},
  async forgedCall(sim) {
    const p: Record<string, string> = {
      method: 'jingdong.pop.order.search',
      app_key: sim.credentials.appKey!,
      access_token: sim.credentials.accessToken!,
      timestamp: '2026-06-10 10:00:00',
      v: '2.0',
      '360buy_param_json': '{"page":"1","page_size":"10"}',
    };
    p.sign = signJos(p, 'wrong-secret');
    const res = await fetch(sim.url, { method: 'POST', body: new URLSearchParams(p) });
    return { status: res.status, body: await res.json() };
  },
  expectSignatureEnvelope(body) {
    expect(body).toMatchObject({
      error_response: { code: '14', zh_desc: expect.any(String), en_desc: expect.any(String) },
    });
  },
  pushes: true,
  carrier: '463',
  stockSku: 'TEA-SET-01',
  lineRefunds: false,
});
