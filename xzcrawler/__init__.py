"""xzcrawler: a Scrapy crawler for 乡镇时评网 (www.xzspw.org.cn) storing every article in SQL."""
