"""The crawler's spiders: navigation only. Parsing is xzcrawler.parsing; storage is pipelines."""
