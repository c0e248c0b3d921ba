import { ERROR_CODES, ERROR_MESSAGES, errorMessage, fieldErrorText } from '@orderhub/contracts';
import { describe, expect, it } from 'vitest';

const CJK = /[\u4e00-\u9fff]/;

describe('error messages for people', () => {
  it('give every error code a Chinese and an English message', () => {
    for (const code of Object.keys(ERROR_CODES)) {
      const m = ERROR_MESSAGES[code as keyof typeof ERROR_MESSAGES]!;
      expect(m, code).toBeDefined();
      expect(m.zh, code).toMatch(CJK);
      expect(m.en, code).not.toMatch(CJK);
      expect(m.en, code).toMatch(/^[A-Z{]/);
      // The Chinese message never shows the code itself or snake_case words.
      expect(m.zh, code).not.toMatch(/[A-Z]{2,}_[A-Z]/);
    }
    expect(Object.keys(ERROR_MESSAGES).sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('fill parameters from the problem details', () => {
    expect(errorMessage('ORDER_NOS_TOO_MANY', { limit: 500, given: 5000 }, 'zh-CN')).toBe(
      '一次最多查询 500 个单号，您输入了 5000 个',
    );
    expect(errorMessage('ORDER_INVALID_TRANSITION', { status: 'shipped' }, 'zh-CN')).toBe(
      '订单当前状态（已发货）不能执行此操作',
    );
    expect(
      errorMessage(
        'ORDER_GUARD_FAILED',
        { guard: 'SKU_UNMAPPED', lines: [{ lineNo: 3, channelSku: 'X' }] },
        'zh-CN',
      ),
    ).toBe('商品未匹配，不能执行此操作（第 3 行）');
    expect(
      errorMessage(
        'ORDER_GUARD_FAILED',
        { guard: 'SKU_UNMAPPED', lines: [{ lineNo: 3, channelSku: 'X' }] },
        'en-US',
      ),
    ).toBe('SKU not mapped: this cannot be done (line 3)');
    // Without details the message still reads.
    expect(errorMessage('FORBIDDEN', undefined, 'zh-CN')).toBe('您的角色没有此权限');
    // An unknown code falls back to what the server said.
    expect(errorMessage('SOMETHING_NEW', {}, 'zh-CN', 'server text')).toBe('server text');
  });

  it('name the field of a validation error in words, never a JSON path', () => {
    const details = {
      errors: [
        { in: 'querystring', path: '/phone', field: 'phone', keyword: 'minLength', params: { limit: 4 } },
      ],
    };
    expect(errorMessage('VALIDATION_FAILED', details, 'zh-CN')).toBe('填写的内容有误：手机号至少 4 个字符');
    expect(errorMessage('VALIDATION_FAILED', details, 'en-US')).toBe(
      'Some input is not valid: Phone: at least 4 characters',
    );
    expect(
      fieldErrorText({ path: '/lines/2/quantity', keyword: 'minimum', params: { limit: 1 } }, 'zh-CN'),
    ).toBe('数量不能小于 1');
    expect(fieldErrorText({ keyword: 'required', params: { missingProperty: 'currency' } }, 'zh-CN')).toBe(
      '缺少币种',
    );
    expect(fieldErrorText({ unknownField: 'colour' }, 'en-US')).toBe('unknown field "colour"');
    // A person's name (姓名) only on the receiver; a shop's, a view's or a SKU's name is a 名称.
    expect(
      fieldErrorText({ field: 'receiver.name', keyword: 'minLength', params: { limit: 1 } }, 'zh-CN'),
    ).toBe('收货人姓名至少 1 个字符');
    expect(fieldErrorText({ field: 'name', keyword: 'maxLength', params: { limit: 60 } }, 'zh-CN')).toBe(
      '名称最多 60 个字符',
    );
    expect(errorMessage('VALIDATION_FAILED', details, 'zh-CN')).not.toMatch(/\//);
  });
});
