//! Properties a WebDAV client sets on a file or folder (PROPPATCH), kept
//! per entry in `dav_props` and gone with it.

use ::http::StatusCode;
use dav_server::fs::DavProp;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

fn namespace(prop: &DavProp) -> String {
    prop.namespace.clone().unwrap_or_default()
}

pub async fn patch(
    db: &impl ConnectionTrait,
    entry_id: i64,
    patch: Vec<(bool, DavProp)>,
) -> Result<Vec<(StatusCode, DavProp)>, DbErr> {
    let mut done = Vec::with_capacity(patch.len());
    for (set, prop) in patch {
        let key: [Value; 3] = [
            entry_id.into(),
            namespace(&prop).into(),
            prop.name.clone().into(),
        ];
        if set {
            db.execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "INSERT INTO dav_props (entry_id, namespace, name, prefix, xml) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (entry_id, namespace, name) DO UPDATE SET prefix = excluded.prefix, xml = excluded.xml",
                [
                    key[0].clone(),
                    key[1].clone(),
                    key[2].clone(),
                    prop.prefix.clone().into(),
                    prop.xml.clone().into(),
                ],
            ))
            .await?;
        } else {
            db.execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "DELETE FROM dav_props WHERE entry_id = ?1 AND namespace = ?2 AND name = ?3",
                key,
            ))
            .await?;
        }
        done.push((StatusCode::OK, DavProp { xml: None, ..prop }));
    }
    Ok(done)
}

pub async fn all(
    db: &impl ConnectionTrait,
    entry_id: i64,
    with_values: bool,
) -> Result<Vec<DavProp>, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "SELECT namespace, name, prefix, xml FROM dav_props WHERE entry_id = ?1 ORDER BY namespace, name",
            [entry_id.into()],
        ))
        .await?;
    let mut props = Vec::with_capacity(rows.len());
    for row in rows {
        let namespace: String = row.try_get_by_index(0)?;
        props.push(DavProp {
            name: row.try_get_by_index(1)?,
            prefix: row.try_get_by_index(2)?,
            namespace: (!namespace.is_empty()).then_some(namespace),
            xml: if with_values {
                row.try_get_by_index(3)?
            } else {
                None
            },
        });
    }
    Ok(props)
}

pub async fn one(
    db: &impl ConnectionTrait,
    entry_id: i64,
    prop: &DavProp,
) -> Result<Option<Vec<u8>>, DbErr> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "SELECT xml FROM dav_props WHERE entry_id = ?1 AND namespace = ?2 AND name = ?3",
            [
                entry_id.into(),
                namespace(prop).into(),
                prop.name.clone().into(),
            ],
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get_by_index::<Option<Vec<u8>>>(0)?,
        None => None,
    })
}
