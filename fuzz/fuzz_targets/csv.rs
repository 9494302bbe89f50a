//! The CSV readers (IRA, X/Twitter IO archive) on arbitrary rows under a real header.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Read;
use std::ops::ControlFlow;
use vigie_core::config::InputConfig;
use vigie_sources::{read_format, Event, Format, ReadContext};

const HEADERS: [(&[u8], Format); 3] = [
    (b"author_id,content,region,language,publish_date,harvested_date,following,followers,updates,post_type,retweet,author,account_type,account_category,new_june_2018\n", Format::IraCsv),
    (b"tweetid,userid,user_display_name,user_screen_name,follower_count,account_creation_date,tweet_language,tweet_text,tweet_time,in_reply_to_tweetid,retweet_tweetid,hashtags,urls,user_mentions,like_count\n", Format::TwitterIoTweets),
    (b"userid,user_display_name,user_screen_name,follower_count,account_creation_date\n", Format::TwitterIoUsers),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rows)) = data.split_first() else { return };
    let (header, format) = HEADERS[selector as usize % HEADERS.len()];
    let limits = InputConfig {
        max_record_bytes: 2048,
        ..InputConfig::default()
    };
    let normaliser = vigie_normalise::Normaliser::new(&limits);
    let ctx = ReadContext::new("fuzz.csv", &limits);
    let mut input = std::io::BufReader::new(header.chain(rows));
    let _ = read_format(format, &mut input, ctx, &mut |e: Event| {
        if let Event::Record { record, .. } = e {
            let _ = normaliser.normalise(record);
        }
        ControlFlow::Continue(())
    });
});
