-- The organization report's one query over CUR 2.0 (AWS Data Exports, table COST_AND_USAGE_REPORT), run as is
-- by Amazon Athena (engine version 3, Trino SQL) in AWS and by DuckDB locally. Placeholders in braces are
-- filled by lambdas/cost_reporter/dal/cur.py (build_query) from validated values only.
--
-- Rows: one per usage account, resource id (the endpoint ARN for hosting), infersave tags, UTC day, usage type,
-- line item type and currency, so the reporter attributes cost per endpoint ARN and account, tagged or not, at
-- daily grain (the month is their sum). Columns (CUR 2.0 table dictionary, AWS Data Exports user guide):
-- line_item_usage_account_id, line_item_resource_id, line_item_line_item_type, line_item_product_code,
-- line_item_usage_type, line_item_usage_start_date (timestamp), line_item_unblended_cost,
-- line_item_usage_amount, line_item_currency_code (strings / doubles), resource_tags (map<string,string>:
-- keys are the cost allocation tag keys as CUR 2.0 spells them, "user_" + the key with ":" "." "/" as "_",
-- e.g. infersave:endpoint -> user_infersave_endpoint; present only once the tag is activated).
--
-- Portable subset, where the engines differ:
--   * map lookup: DuckDB's element_at returns a list (measured, duckdb 2.0.0) where Trino's returns the value,
--     and Trino's subscript may fail on a missing key (Trino map functions), so the lookup is
--     try(resource_tags['key']): the value, or NULL on a missing key, in both (DuckDB measured in
--     tests/demo/test_demo_cur.py; the Trino side is from its documentation, not run here).
--   * money: each line is cast to DECIMAL(30, 10) before summing (both engines sum decimals exactly, where a
--     double sum would drift in the last digits) and the sum is returned as text (Athena returns text anyway).
--   * billing_period: the partition of the Data Export's S3 layout (data/BILLING_PERIOD=YYYY-MM/); Athena
--     prunes it through partition projection, DuckDB through hive partitioning of the same folders.
--   * GROUP BY ordinals and CAST(timestamp AS DATE) work in both.
SELECT
    line_item_usage_account_id AS account_id,
    line_item_resource_id AS resource_id,
    try(resource_tags['{endpoint_tag}']) AS endpoint_tag,
    try(resource_tags['{project_tag}']) AS project_tag,
    CAST(line_item_usage_start_date AS DATE) AS usage_date,
    line_item_usage_type AS usage_type,
    line_item_line_item_type AS line_item_type,
    line_item_currency_code AS currency,
    CAST(SUM(CAST(line_item_unblended_cost AS DECIMAL(30, 10))) AS VARCHAR) AS cost,
    CAST(SUM(CAST(line_item_usage_amount AS DECIMAL(30, 10))) AS VARCHAR) AS usage_amount
FROM {table}
WHERE billing_period IN ({billing_periods})
    AND line_item_product_code = '{product_code}'
    AND line_item_usage_start_date >= TIMESTAMP '{start} 00:00:00'
    AND line_item_usage_start_date < TIMESTAMP '{end_exclusive} 00:00:00'
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
