-- The raw layer's shape (README "Raw layer"), created only where landing wrote no table (a source
-- with no records lands none), so the staging models always have something to read.
create schema if not exists raw_airtable;
create schema if not exists raw_mongo;
create schema if not exists raw_luma;
create table if not exists raw_airtable.users (id text, created_time timestamptz, fields jsonb, _dlt_load_id text, _dlt_id text);
create table if not exists raw_airtable.events (id text, created_time timestamptz, fields jsonb, _dlt_load_id text, _dlt_id text);
create table if not exists raw_airtable.projects (id text, created_time timestamptz, fields jsonb, _dlt_load_id text, _dlt_id text);
create table if not exists raw_airtable.votes (id text, created_time timestamptz, fields jsonb, _dlt_load_id text, _dlt_id text);
create table if not exists raw_airtable.referrals (id text, created_time timestamptz, fields jsonb, _dlt_load_id text, _dlt_id text);
create table if not exists raw_mongo.profiles (_id text, created_at timestamptz, updated_at timestamptz, document jsonb, bson_flags jsonb, _dlt_load_id text, _dlt_id text);
create table if not exists raw_mongo.projects (_id text, created_at timestamptz, updated_at timestamptz, document jsonb, bson_flags jsonb, _dlt_load_id text, _dlt_id text);
create table if not exists raw_mongo.badges (_id text, created_at timestamptz, updated_at timestamptz, document jsonb, bson_flags jsonb, _dlt_load_id text, _dlt_id text);
create table if not exists raw_mongo.member_badges (_id text, created_at timestamptz, updated_at timestamptz, document jsonb, bson_flags jsonb, _dlt_load_id text, _dlt_id text);
create table if not exists raw_mongo.events (_id text, created_at timestamptz, updated_at timestamptz, document jsonb, bson_flags jsonb, _dlt_load_id text, _dlt_id text);
create table if not exists raw_mongo.attendance (_id text, created_at timestamptz, updated_at timestamptz, document jsonb, bson_flags jsonb, _dlt_load_id text, _dlt_id text);
create table if not exists raw_mongo.pending_users (_id text, created_at timestamptz, updated_at timestamptz, document jsonb, bson_flags jsonb, _dlt_load_id text, _dlt_id text);
create table if not exists raw_mongo.luma_webhooks (_id text, created_at timestamptz, updated_at timestamptz, document jsonb, bson_flags jsonb, _dlt_load_id text, _dlt_id text);
create table if not exists raw_mongo.surveys (_id text, created_at timestamptz, updated_at timestamptz, document jsonb, bson_flags jsonb, _dlt_load_id text, _dlt_id text);
create table if not exists raw_mongo.survey_responses (_id text, created_at timestamptz, updated_at timestamptz, document jsonb, bson_flags jsonb, _dlt_load_id text, _dlt_id text);
create table if not exists raw_mongo.demo_slots (_id text, created_at timestamptz, updated_at timestamptz, document jsonb, bson_flags jsonb, _dlt_load_id text, _dlt_id text);
create table if not exists raw_luma.events (api_id text, start_at timestamptz, updated_at timestamptz, record jsonb, _dlt_load_id text, _dlt_id text);
create table if not exists raw_luma.guests (event_api_id text, api_id text, record jsonb, _dlt_load_id text, _dlt_id text);
create table if not exists raw_luma.duplicates (source_table text, event_api_id text, api_id text, occurrence bigint, record jsonb, _dlt_load_id text, _dlt_id text);
