"""Alerts where teams look: DingTalk, WeCom (企业微信), Feishu/Lark group bots and e-mail, by URL."""
