-- catalog-sync: a desired catalog deleted takes the element state of its catalog with it
-- (SPEC §6: "Deleting a desired catalog deletes its elements with it").

-- desired_catalogs_deleted (20261202000001) deletes the catalog's desired elements. Their merge
-- base must go too: a base without desired rows reads as "every element deleted here", which
-- would send one delete per element whenever the catalog outlives the delete (the account's
-- edit won a conflict, sync.mode = pull, the person wants it back) and trip the element delete
-- guard. Without a base, a catalog that stays is a catalog seen for the first time: its
-- elements are adopted from the account. The mirror and the field list go as well (the next
-- pull of a catalog still wanted fetches them again), and the element conflicts held for a
-- person are settled for this side: the elements were deleted here.
CREATE TRIGGER desired_catalogs_deleted_element_state
AFTER DELETE ON desired_catalogs
WHEN OLD.remote_id IS NOT NULL
BEGIN
    DELETE FROM synced_elements WHERE catalog_remote_id = OLD.remote_id;
    DELETE FROM remote_elements WHERE catalog_remote_id = OLD.remote_id;
    DELETE FROM catalog_fields WHERE catalog_remote_id = OLD.remote_id;
    DELETE FROM element_pulls WHERE catalog_remote_id = OLD.remote_id;
    UPDATE conflicts
       SET resolution = 'local',
           resolved_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
     WHERE entity = 'element' AND catalog_remote_id = OLD.remote_id AND resolved_at IS NULL;
END;
