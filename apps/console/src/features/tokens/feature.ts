import { KeyOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { FeatureDef } from '../../shell/feature.ts';

export const feature: FeatureDef = {
  key: 'tokens',
  order: 110,
  permission: 'tokens:manage',
  menu: {
    path: '/admin/tokens',
    label: { 'zh-CN': 'API 令牌', 'en-US': 'API tokens' },
    icon: KeyOutlined,
    group: 'admin',
  },
  routes: [{ path: '/admin/tokens', component: lazy(() => import('./Tokens.tsx')) }],
};
