import { CustomerServiceOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { FeatureDef } from '../../shell/feature.ts';

export const feature: FeatureDef = {
  key: 'lookup',
  order: 30,
  permission: 'orders:read',
  menu: {
    path: '/lookup',
    label: { 'zh-CN': '客服查询', 'en-US': 'Customer lookup' },
    icon: CustomerServiceOutlined,
  },
  routes: [{ path: '/lookup', component: lazy(() => import('./Lookup.tsx')) }],
};
