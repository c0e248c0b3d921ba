import { startTaobaoSimulator, topSign } from '@orderhub/simulators';
import { describe, expect, it } from 'vitest';
import { sortedConcat } from '../src/modules/channels/connectors/taobao/cn-common.ts';
import {
  callTop,
  mapTaobaoTrade,
  signTop,
  taobaoConnector,
  topResponseKey,
} from '../src/modules/channels/connectors/taobao/index.ts';
import { type CnSim, describeCnConnector, sharedVectors } from './channels-taobao-jd-pinduoduo.support.ts';

// Protocol digest A1 worked examples (vectors/vectors.js, "taobao_*").
const ITEM_GET = {
  method: 'taobao.item.seller.get',
  app_key: '12345678',
  session: 'test',
  timestamp: '2016-01-01 12:00:00',
  format: 'json',
  v: '2.0',
  sign_method: 'md5',
  fields: 'num_iid,title,nick,price,num',
  num_iid: '11223344',
};
const INCREMENT = {
  method: 'taobao.trades.sold.increment.get',
  app_key: '12345678',
  session: 'fake-session',
  timestamp: '2024-06-10 12:00:00',
  format: 'json',
  v: '2.0',
  sign_method: 'md5',
  fields: 'tid,status,modified',
  start_modified: '2024-06-10 11:30:00',
  end_modified: '2024-06-10 12:00:00',
  page_no: '1',
  page_size: '50',
  use_has_next: 'true',
};

describe('Taobao TOP signing: protocol vectors byte for byte', () => {
  it('md5, hmac and hmac-sha256 over the sorted parameters', () => {
    expect(sortedConcat(ITEM_GET)).toBe(
      'app_key12345678fieldsnum_iid,title,nick,price,numformatjsonmethodtaobao.item.seller.getnum_iid11223344sessiontestsign_methodmd5timestamp2016-01-01 12:00:00v2.0',
    );
    expect(signTop(ITEM_GET, 'helloworld', 'md5')).toBe('66987CB115214E59E6EC978214934FB8');
    expect(signTop({ ...ITEM_GET, sign_method: 'hmac' }, 'helloworld', 'hmac')).toBe(
      'D56D7858309C31B6251083A874D48273',
    );
    expect(signTop({ ...ITEM_GET, sign_method: 'hmac-sha256' }, 'helloworld', 'hmac-sha256')).toBe(
      '04DB15AD0774D5CFCE2C837DE43E3FCEA9011ED74F3038FB6AB5F3C4CEA119E8',
    );
    expect(signTop(INCREMENT, 'fake-secret', 'md5')).toBe('CAAA51AFEA9A1C845DF0264698456B6B');
    // The simulator's own implementation agrees.
    expect(topSign(INCREMENT, 'fake-secret', 'md5')).toBe('CAAA51AFEA9A1C845DF0264698456B6B');
    // A `sign` parameter and empty values never enter the string.
    expect(signTop({ ...INCREMENT, sign: 'X', buyer_nick: '' }, 'fake-secret', 'md5')).toBe(
      'CAAA51AFEA9A1C845DF0264698456B6B',
    );
  });

  it('matches the shared vectors file when it is present', () => {
    const v = sharedVectors();
    if (!v) return;
    expect(sortedConcat(ITEM_GET)).toBe(v.taobao_md5!.str);
    expect(signTop(ITEM_GET, 'helloworld', 'md5')).toBe(v.taobao_md5!.sign);
    expect(signTop({ ...ITEM_GET, sign_method: 'hmac' }, 'helloworld', 'hmac')).toBe(v.taobao_hmac_md5!.sign);
    expect(signTop({ ...ITEM_GET, sign_method: 'hmac-sha256' }, 'helloworld', 'hmac-sha256')).toBe(
      v.taobao_hmac_sha256!.sign,
    );
    expect(sortedConcat(INCREMENT)).toBe(v.taobao_increment_md5!.str);
    expect(signTop(INCREMENT, 'fake-secret', 'md5')).toBe(v.taobao_increment_md5!.sign);
  });

  it('names the response wrapper the TOP way', () => {
    expect(topResponseKey('taobao.trades.sold.increment.get')).toBe('trades_sold_increment_get_response');
    expect(topResponseKey('tmall.channel.trade.order.get')).toBe('tmall_channel_trade_order_get_response');
  });
});

describe('Taobao trade mapping', () => {
  it('an unknown extra field never changes identity; 64-bit ids stay exact', async () => {
    const sim = await startTaobaoSimulator({ now: () => new Date('2026-06-10T02:00:00Z') });
    try {
      const tid = sim.addOrder();
      expect(BigInt(tid) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
      const trade = { ...sim.order(tid), order_id_suffix: 'ERR' };
      const o = mapTaobaoTrade(trade);
      expect(o.externalOrderId).toBe(tid);
      expect(o.order.externalOrderId).toBe(tid);
      const res = await taobaoConnector.fetchOrder(
        {
          credentials: sim.credentials,
          baseUrl: sim.url,
          now: new Date('2026-06-10T02:00:00Z'),
          fetch,
          settings: {},
        },
        tid,
      );
      expect(res?.externalOrderId).toBe(tid);
      expect(res!.order.lines[0]!.externalLineId).toBe(String(BigInt(tid) + 1n));
    } finally {
      await sim.close();
    }
  });

  it('refuses unknown statuses, amounts in the wrong unit and times with a zone', async () => {
    const sim = await startTaobaoSimulator({ now: () => new Date('2026-06-10T02:00:00Z') });
    try {
      const t = sim.order(sim.addOrder());
      expect(() => mapTaobaoTrade({ ...t, status: 'SOMETHING_NEW' })).toThrow(/unknown status/);
      expect(() => mapTaobaoTrade({ ...t, payment: 12345 })).toThrow(/yuan amount/);
      expect(() => mapTaobaoTrade({ ...t, payment: '123.456' })).toThrow(/two decimals/);
      expect(() => mapTaobaoTrade({ ...t, created: '2026-06-10T10:00:00+08:00' })).toThrow(/Beijing/);
    } finally {
      await sim.close();
    }
  });
});

describe('Taobao simulator: TMC by polling', () => {
  it('consumes messages, redelivers the unconfirmed ones, and stops after confirm', async () => {
    let nowMs = Date.parse('2026-06-10T02:00:00Z');
    const sim = await startTaobaoSimulator({ now: () => new Date(nowMs), tmcRedeliverMs: 60_000 });
    try {
      const tid = sim.addOrder();
      sim.changeAddress(tid);
      const ctx = () => ({
        credentials: sim.credentials,
        baseUrl: sim.url,
        now: new Date(nowMs),
        fetch,
        settings: {},
      });
      const consume = async () => {
        const r = await callTop(ctx(), 'taobao.tmc.messages.consume', {
          group_name: 'default',
          quantity: '10',
        });
        return (
          (r.messages as { tmc_message?: { id: string; topic: string }[] } | undefined)?.tmc_message ?? []
        ).map((m) => m.topic);
      };
      expect(await consume()).toEqual([
        'taobao_trade_TradeCreate',
        'taobao_trade_TradeLogisticsAddressChanged',
      ]);
      expect(await consume()).toEqual([]);
      nowMs += 61_000;
      const again = await callTop(ctx(), 'taobao.tmc.messages.consume', {
        group_name: 'default',
        quantity: '10',
      });
      const ids = ((again.messages as { tmc_message: { id: string }[] }).tmc_message ?? []).map((m) => m.id);
      expect(ids).toHaveLength(2);
      await callTop(ctx(), 'taobao.tmc.messages.confirm', {
        group_name: 'default',
        s_message_ids: ids.join(','),
      });
      nowMs += 61_000;
      expect(await consume()).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});

describeCnConnector({
  name: 'Taobao',
  connector: taobaoConnector,
  start: (o) =>
    startTaobaoSimulator({
      now: o.now,
      seed: o.seed,
      ...(o.privacy !== undefined ? { privacy: o.privacy } : {}),
    }) as Promise<CnSim>,
  settings: {},
  async forgedCall(sim) {
    const p: Record<string, string> = {
      method: 'taobao.trades.sold.increment.get',
      app_key: sim.credentials.appKey!,
      session: sim.credentials.accessToken!,
      timestamp: '2026-06-10 10:00:00',
      format: 'json',
      v: '2.0',
      sign_method: 'md5',
      fields: 'tid',
      start_modified: '2026-06-10 09:30:00',
      end_modified: '2026-06-10 10:00:00',
    };
    p.sign = signTop(p, 'wrong-secret', 'md5');
    const res = await fetch(sim.url, { method: 'POST', body: new URLSearchParams(p) });
    return { status: res.status, body: await res.json() };
  },
  expectSignatureEnvelope(body) {
    expect(body).toMatchObject({ error_response: { code: 25, msg: 'Invalid Signature' } });
  },
  pushes: true,
  platformRefOf: (raw) => raw.oaid as string,
  carrier: 'YTO',
  stockSku: 'TEA-SET-01',
  lineRefunds: true,
});
