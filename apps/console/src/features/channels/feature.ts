import { ApiOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { FeatureDef } from '../../shell/feature.ts';

export const feature: FeatureDef = {
  key: 'channels',
  order: 45,
  permission: 'channels:read',
  menu: { path: '/channels', label: { 'zh-CN': '渠道', 'en-US': 'Channels' }, icon: ApiOutlined },
  routes: [{ path: '/channels', component: lazy(() => import('./Channels.tsx')) }],
  banner: lazy(() => import('./AuthBanner.tsx')),
};
