"""What the server offers beside tools: resources (rules, error codes, the manifest, the account at a
glance, an order's report), prompts for the everyday jobs, and completions for their arguments.

Everything here is looked up from the tool contracts and the catalog being served; no tool is named.
"""
